import { createRequire } from 'node:module';
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

export interface LoggerOptions {
  service: string;
  instance: string;
  level: string;
  /** Human-readable output for local development (pino-pretty); JSON otherwise. */
  pretty: boolean;
  /** Where to write (tests); stdout by default. */
  destination?: DestinationStream;
}

/** Paths never written to logs: credentials in headers, config and errors. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.token',
  '*.databaseUrl',
  '*.DATABASE_URL',
  'config.database.url',
  'config.kafka.sasl',
  'sasl',
  'password',
  'token',
];

/** Credentials inside free text (connection strings, bearer tokens) in error messages and stacks. */
export function scrubSecrets(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^@\s]*@/gi, '$1[redacted]@')
    .replace(/\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, '$1[redacted]');
}

function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  for (const key of ['message', 'stack']) {
    if (typeof serialized[key] === 'string') serialized[key] = scrubSecrets(serialized[key] as string);
  }
  return serialized;
}

export function createLogger(options: LoggerOptions): Logger {
  const config = {
    level: options.level,
    base: { service: options.service, instance: options.instance },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { err: serializeError },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.destination) return pino(config, options.destination);
  if (!options.pretty) return pino(config);
  return pino(config, prettyStream());
}

/**
 * pino-pretty as a synchronous stream in this thread, not as a worker-thread transport. With the
 * transport, a service whose stdout pipe was gone (`npm start` SIGKILLed) did not exit on SIGTERM:
 * after a clean stop, pino's exit hook waited 2 × 10 s in flushSync for a worker that no longer
 * drained, then the process exited with 1 (or was SIGKILLed by the launcher's watchdog first). A
 * synchronous stream drops output on EPIPE and exits at once. Pretty output is for local
 * development only, where formatting on the main thread costs nothing that matters. Loaded lazily:
 * pino-pretty is a dev dependency, absent where LOG_PRETTY is off.
 */
function prettyStream(): DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty').build;
  return pretty({
    colorize: true,
    singleLine: true,
    translateTime: 'HH:MM:ss.l',
    ignore: 'pid,hostname,service,instance',
    sync: true,
  });
}
