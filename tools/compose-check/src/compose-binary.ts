import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { onPath, runOk } from './exec.ts';

/**
 * Docker Compose itself (github.com/docker/compose/v5), the implementation behind `docker compose`,
 * built from the Go module proxy and run standalone against podman's Docker-compatible API.
 * Why not podman-compose or Debian's docker-compose 1.29: the README's commands need what only
 * Compose v2+ implements as documented — the top-level `name:`, `!reset`, `configs.content`,
 * `depends_on: condition: service_healthy`, `--scale` with per-replica ports, profiles, `-f a -f b`
 * merging and `exec` — and what passes here is then what passes for a Docker user.
 * v5.6.0: the newest release whose dependencies the proxy serves (v5.7.x needs
 * github.com/docker/secrets-engine, which it refuses) and that builds with Go 1.26.8.
 */
export const COMPOSE_MODULE = 'github.com/docker/compose/v5';
export const COMPOSE_VERSION = 'v5.6.0';

export async function ensureCompose(
  cache: string,
  log: (line: string) => void,
): Promise<{ path: string; built: boolean }> {
  const path = join(cache, 'bin', `docker-compose-${COMPOSE_VERSION}`);
  if (existsSync(path)) return { path, built: false };
  if (!(await onPath('go'))) {
    throw new Error(
      `Docker Compose ${COMPOSE_VERSION} is built from the Go module proxy and needs Go ≥ 1.21 (it fetches the toolchain go.mod asks for): install Go from https://go.dev/dl/ (Debian 12's golang is 1.19, too old)`,
    );
  }
  mkdirSync(join(cache, 'bin'), { recursive: true });
  const env = { ...process.env, GOTOOLCHAIN: 'auto', GOFLAGS: '-mod=mod' };
  log(`building Docker Compose ${COMPOSE_VERSION} from the Go module proxy (once; about 2 min)`);
  const download = await runOk('go', ['mod', 'download', '-json', `${COMPOSE_MODULE}@${COMPOSE_VERSION}`], {
    env,
    timeoutMs: 600_000,
  });
  const dir = (JSON.parse(download.stdout) as { Dir?: string }).Dir;
  if (!dir) throw new Error(`go mod download gave no directory for ${COMPOSE_MODULE}@${COMPOSE_VERSION}`);
  const tmp = `${path}.tmp-${process.pid}`;
  await runOk(
    'go',
    [
      'build',
      '-trimpath',
      '-ldflags',
      `-w -s -X ${COMPOSE_MODULE}/internal.Version=${COMPOSE_VERSION}`,
      '-o',
      tmp,
      './cmd',
    ],
    { cwd: dir, env, timeoutMs: 1_800_000 },
  );
  renameSync(tmp, path);
  return { path, built: true };
}
