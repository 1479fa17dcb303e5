import { join, resolve } from 'node:path';

/** The monorepo root (this file is packages/local-stack/src/paths.ts). */
export function repoRoot(): string {
  return resolve(import.meta.dirname, '..', '..', '..');
}

/** Where `npm run infra` keeps its data: $KAFKA_POC_DATA_DIR or <repo>/.data (git-ignored). */
export function dataRoot(env: NodeJS.ProcessEnv): string {
  return env.KAFKA_POC_DATA_DIR ? resolve(env.KAFKA_POC_DATA_DIR) : join(repoRoot(), '.data');
}

/** Written while infra runs so other commands (npm start, npm run service, the CLI) can find it. */
export function infraFile(root: string): string {
  return join(root, 'infra.json');
}
