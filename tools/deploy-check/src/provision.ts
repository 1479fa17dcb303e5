// The tools the deploy checks run, installed from package registries into <repo>/.cache/deploy-check
// (git-ignored) on first use, so CI on a fresh machine needs only Go and Python, both on the machine:
// - deploy-check-go (tools/deploy-check/go): compose-go, BuildKit's Dockerfile parser, Docker's
//   .dockerignore matcher and kustomize, built from the Go module proxy (go.sum pins every module);
// - kubernetes-validate (PyPI, pinned): the Kubernetes API JSON schemas of each release and a validator.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { run, runOrThrow } from './exec.ts';
import { REPO_ROOT } from './workspaces.ts';

export const KUBERNETES_VALIDATE_VERSION = '1.37.0';

export interface Tools {
  /** deploy-check-go binary. */
  go: string;
  /** kubernetes-validate CLI. */
  kubernetesValidate: string;
}

const CACHE = join(REPO_ROOT, '.cache', 'deploy-check');

function findGo(): string {
  for (const candidate of ['go', '/usr/local/go/bin/go', '/usr/lib/go/bin/go']) {
    if (run(candidate, ['version']).status === 0) return candidate;
  }
  throw new Error(
    'go not found (needed to build tools/deploy-check/go); install Go ≥ the version in its go.mod',
  );
}

function findPython(): string {
  for (const candidate of ['python3', 'python']) {
    if (run(candidate, ['-c', 'import sys, venv; assert sys.version_info >= (3, 9)']).status === 0)
      return candidate;
  }
  throw new Error('python3 (≥ 3.9, with the venv module) not found; needed for kubernetes-validate');
}

export function provisionTools(log: (line: string) => void = () => {}): Tools {
  mkdirSync(CACHE, { recursive: true });
  const go = findGo();
  const bin = join(CACHE, 'bin', 'deploy-check-go');
  // go build is incremental (its build cache): a no-op when nothing changed.
  const started = performance.now();
  runOrThrow(go, ['build', '-trimpath', '-o', bin, '.'], {
    cwd: join(REPO_ROOT, 'tools', 'deploy-check', 'go'),
    env: { ...process.env, GOFLAGS: '-mod=readonly', CGO_ENABLED: '0' },
  });
  log(`deploy-check-go built (${((performance.now() - started) / 1000).toFixed(1)} s)`);

  const venv = join(CACHE, 'venv');
  const kubernetesValidate = join(venv, 'bin', 'kubernetes-validate');
  const installed = existsSync(kubernetesValidate)
    ? run(kubernetesValidate, ['--version']).stdout.trim()
    : '';
  if (installed !== KUBERNETES_VALIDATE_VERSION) {
    const python = findPython();
    runOrThrow(python, ['-m', 'venv', '--clear', venv]);
    runOrThrow(join(venv, 'bin', 'pip'), [
      'install',
      '--quiet',
      '--disable-pip-version-check',
      `kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}`,
    ]);
    log(`kubernetes-validate ${KUBERNETES_VALIDATE_VERSION} installed into ${venv}`);
  }
  return { go: bin, kubernetesValidate };
}
