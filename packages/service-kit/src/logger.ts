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
  return pino({
    ...config,
    transport: {
      target: 'pino-pretty',
      options: {
        colorize: true,
        singleLine: true,
        translateTime: 'HH:MM:ss.l',
        ignore: 'pid,hostname,service,instance',
      },
    },
  });
}
