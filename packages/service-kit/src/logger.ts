import { type Logger, pino } from 'pino';

export type { Logger };

export interface LoggerOptions {
  service: string;
  instance: string;
  level: string;
  /** Human-readable output for local development (pino-pretty); JSON otherwise. */
  pretty: boolean;
}

/** Paths never written to logs: credentials in headers, config and errors. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  '*.password',
  '*.databaseUrl',
  '*.DATABASE_URL',
  'config.database.url',
  'config.kafka.sasl',
  'sasl',
  'password',
];

export function createLogger(options: LoggerOptions): Logger {
  return pino({
    level: options.level,
    base: { service: options.service, instance: options.instance },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(options.pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: {
              colorize: true,
              singleLine: true,
              translateTime: 'HH:MM:ss.l',
              ignore: 'pid,hostname,service,instance',
            },
          },
        }
      : {}),
  });
}
