import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '@kafka-poc/resilience';
import { startShim } from './docker-api-shim.ts';
import { HealthTicker } from './health-ticker.ts';

/** The container engine of the run: podman's Docker-compatible API behind the shim, and the ticker. */
export interface Engine {
  /** For Compose: unix://… of the shim. */
  dockerHost: string;
  /** For every podman and compose process of the run (CONTAINERS_CONF, BUILDAH_FORMAT). */
  env: NodeJS.ProcessEnv;
  serviceLog: string;
  ticker: HealthTicker;
  stop(): Promise<void>;
}

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * Starts `podman system service` on a private socket (nothing else on the machine is affected),
 * the API shim in front of it, and the healthcheck ticker.
 */
export async function startEngine(containersConf: string, logDir: string): Promise<Engine> {
  const dir = mkdtempSync(join(tmpdir(), 'compose-check-engine-'));
  const podmanSocket = join(dir, 'podman.sock');
  const shimSocket = join(dir, 'docker.sock');
  // Docker image format: the OCI format drops HEALTHCHECK (podman warns and ignores it).
  const env = { ...process.env, CONTAINERS_CONF: containersConf, BUILDAH_FORMAT: 'docker' };
  const serviceLog = join(logDir, 'podman-service.log');
  const out = createWriteStream(serviceLog, { flags: 'a' });
  const service: ChildProcess = spawn('podman', ['system', 'service', '--time=0', `unix://${podmanSocket}`], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  service.stdout?.pipe(out);
  service.stderr?.pipe(out);
  for (let i = 0; i < 100 && !(existsSync(podmanSocket) && (await ping(podmanSocket))); i++) {
    if (service.exitCode !== null)
      throw new Error(`podman system service exited (${service.exitCode}); see ${serviceLog}`);
    await sleep(100);
  }
  if (!(await ping(podmanSocket)))
    throw new Error(`podman's API did not answer on ${podmanSocket}; see ${serviceLog}`);
  const shim: Server = await startShim(shimSocket, podmanSocket);
  const ticker = new HealthTicker(env);
  ticker.start();
  return {
    dockerHost: `unix://${shimSocket}`,
    env,
    serviceLog,
    ticker,
    async stop() {
      ticker.stop();
      const closed = new Promise<void>((resolve) => shim.close(() => resolve()));
      shim.closeAllConnections();
      await closed;
      if (service.exitCode === null) {
        service.kill('SIGTERM');
        for (let i = 0; i < 50 && service.exitCode === null; i++) await sleep(100);
        if (service.exitCode === null) service.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
