/**
 * A stand-in for a Postgres server, for unit tests of clients that must survive its faults without
 * a database: it speaks just enough of the wire protocol (v3, trust login, simple queries) for
 * node-postgres to connect and query, and does to a session what a real server or link does to it —
 * a fast shutdown (FATAL 57P01, then the socket closes), a server still starting (FATAL 57P03), a
 * reset connection (ECONNRESET), a stopped server (ECONNREFUSED), a statement never answered.
 * Exported as `@kafka-poc/verification/fake-postgres` (never from the package's main entry).
 */
import { createServer, type Socket } from 'node:net';

/** What the server does with one simple query. */
export type FakeAnswer =
  /** Rows (all with the first row's columns; a number is an int4 column, anything else text). */
  | { rows: Record<string, string | number | null>[] }
  /** An ERROR (the session goes on) or a FATAL (the socket closes after it), with its SQLSTATE. */
  | { error: { code: string; message: string; severity?: 'ERROR' | 'FATAL' } }
  /** The connection is reset (the client sees ECONNRESET), as by a killed server or a cut link. */
  | 'reset'
  /** No answer, ever (a black-holed link, a frozen server). */
  | 'hang';

export interface FakeSession {
  /** 1-based, in the order the sessions were opened. */
  readonly id: number;
  /** Every simple query the session received. */
  readonly queries: string[];
  readonly open: boolean;
  /** As a fast shutdown or pg_terminate_backend does to it: FATAL 57P01, then the socket closes. */
  terminate(): void;
  /** Resets the connection (RST): the client sees ECONNRESET. */
  reset(): void;
}

export interface FakePostgres {
  /** postgres://checker@127.0.0.1:<port>/app */
  readonly url: string;
  readonly port: number;
  /** Every session so far, oldest first. */
  readonly sessions: FakeSession[];
  /**
   * 'up' answers; 'starting' refuses logins with FATAL 57P03 (the database system is starting up);
   * 'down' has no listener (ECONNREFUSED). Set it with setState.
   */
  readonly state: 'up' | 'starting' | 'down';
  setState(state: 'up' | 'starting' | 'down'): Promise<void>;
  /** A fast shutdown: every open session terminated (57P01) and the listener closed ('down'). */
  stop(): Promise<void>;
  close(): Promise<void>;
}

export async function startFakePostgres(
  options: { answer?: (sql: string, session: FakeSession) => FakeAnswer } = {},
): Promise<FakePostgres> {
  const answer = options.answer ?? (() => ({ rows: [{ n: 1 }] }));
  const sessions: FakeSession[] = [];
  const sockets = new Set<Socket>();
  let state: FakePostgres['state'] = 'up';
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A client that resets or vanishes is the point of these tests, not an error of the fake.
    socket.on('error', () => {});
    serve(socket, sessions, answer, () => state);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const closeListener = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
  await listen(0);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const fake: FakePostgres = {
    url: `postgres://checker@127.0.0.1:${port}/app`,
    port,
    sessions,
    get state() {
      return state;
    },
    async setState(next) {
      if (next === 'down') await closeListener();
      else if (!server.listening) await listen(port);
      state = next;
    },
    async stop() {
      for (const session of sessions) if (session.open) session.terminate();
      await fake.setState('down');
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await closeListener();
    },
  };
  return fake;
}

function serve(
  socket: Socket,
  sessions: FakeSession[],
  answer: (sql: string, session: FakeSession) => FakeAnswer,
  state: () => FakePostgres['state'],
): void {
  let pending = Buffer.alloc(0);
  let session: (FakeSession & { queries: string[] }) | undefined;
  const fatal = (code: string, message: string) => {
    if (socket.destroyed) return;
    socket.write(errorResponse('FATAL', code, message));
    socket.end();
  };
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      if (!session) {
        // Startup (or SSLRequest): int32 length, int32 code, then parameters; no type byte.
        if (pending.length < 8) return;
        const length = pending.readInt32BE(0);
        if (pending.length < length) return;
        const code = pending.readInt32BE(4);
        pending = pending.subarray(length);
        if (code === 80877103) {
          socket.write('N'); // no SSL here
          continue;
        }
        if (state() === 'starting') return fatal('57P03', 'the database system is starting up');
        const opened = {
          id: sessions.length + 1,
          queries: [] as string[],
          get open() {
            return !socket.destroyed && socket.writable;
          },
          terminate: () => fatal('57P01', 'terminating connection due to administrator command'),
          reset: () => {
            if (!socket.destroyed) socket.resetAndDestroy();
          },
        };
        session = opened;
        sessions.push(opened);
        socket.write(Buffer.concat([message('R', int32(0)), message('Z', Buffer.from('I'))]));
        continue;
      }
      if (pending.length < 5) return;
      const type = String.fromCharCode(pending[0] ?? 0);
      const length = pending.readInt32BE(1);
      if (pending.length < 1 + length) return;
      const body = pending.subarray(5, 1 + length);
      pending = pending.subarray(1 + length);
      if (type === 'X') {
        socket.end();
        return;
      }
      if (type === 'S') {
        // The extended protocol (statements with parameters) is not spoken here.
        socket.write(
          Buffer.concat([
            errorResponse('ERROR', '0A000', 'the fake Postgres speaks simple queries only'),
            message('Z', Buffer.from('I')),
          ]),
        );
        continue;
      }
      if (type !== 'Q') continue;
      const sql = body.subarray(0, body.length - 1).toString('utf8');
      session.queries.push(sql);
      const reply = answer(sql, session);
      if (reply === 'hang') continue;
      if (reply === 'reset') return session.reset();
      if ('error' in reply) {
        const severity = reply.error.severity ?? 'ERROR';
        if (severity === 'FATAL') return fatal(reply.error.code, reply.error.message);
        socket.write(
          Buffer.concat([
            errorResponse('ERROR', reply.error.code, reply.error.message),
            message('Z', Buffer.from('I')),
          ]),
        );
        continue;
      }
      socket.write(rowsResponse(reply.rows));
    }
  });
}

function rowsResponse(rows: Record<string, string | number | null>[]): Buffer {
  const columns = Object.keys(rows[0] ?? {});
  const first = rows[0] ?? {};
  const description = message(
    'T',
    Buffer.concat([
      int16(columns.length),
      ...columns.map((name) =>
        Buffer.concat([
          cstring(name),
          int32(0), // table oid
          int16(0), // column number
          int32(typeof first[name] === 'number' ? 23 : 25), // int4 or text
          int16(-1),
          int32(-1),
          int16(0), // text format
        ]),
      ),
    ]),
  );
  const data = rows.map((row) =>
    message(
      'D',
      Buffer.concat([
        int16(columns.length),
        ...columns.map((name) => {
          const value = row[name];
          if (value === null || value === undefined) return int32(-1);
          const bytes = Buffer.from(String(value), 'utf8');
          return Buffer.concat([int32(bytes.length), bytes]);
        }),
      ]),
    ),
  );
  return Buffer.concat([
    description,
    ...data,
    message('C', cstring(`SELECT ${rows.length}`)),
    message('Z', Buffer.from('I')),
  ]);
}

function errorResponse(severity: 'ERROR' | 'FATAL', code: string, text: string): Buffer {
  return message(
    'E',
    Buffer.concat([
      cstring(`S${severity}`),
      cstring(`V${severity}`),
      cstring(`C${code}`),
      cstring(`M${text}`),
      Buffer.from([0]),
    ]),
  );
}

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'ascii');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function cstring(text: string): Buffer {
  return Buffer.from(`${text}\0`, 'utf8');
}

function int16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}
