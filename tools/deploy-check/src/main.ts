// `npm run check:deploy`: what a real run cannot reach, checked statically — the Kubernetes manifests
// above all, plus BuildKit's parse and lint of the Dockerfile, compose-go's reading of every compose
// variant against the apps' config modules, and the docs' commands. The images themselves are built
// and run for real by `npm run compose:check` (tools/compose-check), which replaced the stage
// emulation that used to live here. What each check does: docs/deployment.md, "How the deployment
// files are checked". CI runs it from .ci/run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICES } from '@kafka-poc/local-stack';
import { COMPOSE_VARIANTS, checkCompose, loadCompose } from './compose.ts';
import { checkRuntimeStage, parseDockerfile } from './dockerfile.ts';
import { checkDocCommands, checkDocumentedVariables } from './docs.ts';
import { kubernetesCheck } from './kubernetes.ts';
import { provisionTools } from './provision.ts';
import { appName, listApps, REPO_ROOT, readPackageJson } from './workspaces.ts';

interface Outcome {
  name: string;
  problems: string[];
  detail?: string;
}

const outcomes: Outcome[] = [];
const log = (line: string) => process.stdout.write(`    ${line}\n`);

async function check(
  name: string,
  fn: () => Promise<string | undefined> | string | undefined,
  problems: string[] = [],
) {
  const started = performance.now();
  let detail: string | undefined;
  try {
    detail = await fn();
  } catch (error) {
    problems.push((error as Error).message);
  }
  const took = `${((performance.now() - started) / 1000).toFixed(1)} s`;
  outcomes.push({ name, problems: [...problems], detail: detail ? `${detail}, ${took}` : took });
  const mark = problems.length === 0 ? '✓' : '✗';
  process.stdout.write(`${mark} ${name} (${detail ? `${detail}, ` : ''}${took})\n`);
  for (const p of problems) process.stdout.write(`    ✗ ${p.replaceAll('\n', '\n      ')}\n`);
}

async function main(): Promise<number> {
  const started = performance.now();
  process.stdout.write('check:deploy: Dockerfile, compose files, Kubernetes manifests, docs/deployment.md\n');
  const tools = provisionTools(log);
  const apps = listApps();
  const dockerfile = join(REPO_ROOT, 'Dockerfile');
  await check('Dockerfile: BuildKit parse and lint, runtime stage', () => {
    const problems: string[] = [];
    for (const app of apps) {
      const model = parseDockerfile(tools.go, dockerfile, { APP: appName(app) });
      problems.push(...model.warnings.map((w) => `APP=${appName(app)}: ${w}`));
      const ports = SERVICES.filter((s) => apps.some((a) => appName(a) === s.name)).map((s) => ({
        name: s.name,
        port: s.defaultPort,
      }));
      problems.push(...checkRuntimeStage(model, ports));
    }
    if (problems.length > 0) throw new Error([...new Set(problems)].join('\n'));
    return `${apps.length} apps`;
  });

  for (const variant of COMPOSE_VARIANTS) {
    const problems: string[] = [];
    await check(
      `compose: ${variant.label}`,
      async () => {
        const project = loadCompose(tools.go, variant);
        problems.push(...(await checkCompose(project, variant, apps)));
        return `${Object.keys(project.services).length} services`;
      },
      problems,
    );
  }

  await check(
    'kubernetes: kustomize build, API schemas (strict), probes/config/Strimzi/CloudNativePG',
    async () => {
      const { problems, validated } = await kubernetesCheck(tools.go, tools.kubernetesValidate, apps);
      if (problems.length > 0) throw new Error(problems.join('\n'));
      return `${validated} resource validations`;
    },
  );

  await check('docs/deployment.md and README.md: commands and variables match the files', () => {
    const docs = join(REPO_ROOT, 'docs', 'deployment.md');
    if (!existsSync(docs)) throw new Error('docs/deployment.md is missing');
    const services = new Set<string>();
    const profiles = new Set<string>();
    for (const variant of COMPOSE_VARIANTS) {
      for (const [name, s] of Object.entries(loadCompose(tools.go, variant).services)) {
        services.add(name);
        for (const p of s.profiles ?? []) profiles.add(p);
      }
    }
    const facts = {
      files: (p: string) => existsSync(join(REPO_ROOT, p)),
      composeServices: services,
      composeProfiles: profiles,
      npmScripts: new Set(Object.keys(readPackageJson(join(REPO_ROOT, 'package.json')).scripts ?? {})),
      apps: new Set(apps.map(appName)),
    };
    // The README's Docker section and docs/deployment.md: every command must match the files.
    const problems: string[] = [];
    let checked = 0;
    for (const file of [docs, join(REPO_ROOT, 'README.md')]) {
      const result = checkDocCommands(readFileSync(file, 'utf8'), facts);
      problems.push(...result.problems.map((p) => `${file.slice(REPO_ROOT.length + 1)}: ${p}`));
      checked += result.checked;
    }
    const composeTexts = ['docker-compose.yml', 'docker-compose.cluster.yml', 'docker-compose.scale.yml'].map(
      (f) => readFileSync(join(REPO_ROOT, f), 'utf8'),
    );
    const variables = checkDocumentedVariables(composeTexts, readFileSync(docs, 'utf8'));
    problems.push(...variables.problems);
    if (problems.length > 0) throw new Error(problems.join('\n'));
    return `${checked} commands, ${variables.checked} compose variables`;
  });

  const failed = outcomes.filter((o) => o.problems.length > 0);
  process.stdout.write(
    `check:deploy: ${outcomes.length - failed.length} of ${outcomes.length} checks ok${failed.length ? `, ${failed.length} failing` : ''} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`,
  );
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = await main();
