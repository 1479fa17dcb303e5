import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalStackError } from './errors.ts';
import type { KafkaCluster } from './kafka-broker.ts';
import type { KafkaSecurityOptions, ScramMechanism } from './kafka-security.ts';
import type { PostgresServer } from './postgres.ts';
import { readIfExists } from './processes.ts';

/** `npm run infra -- --kafka-security <mode>`. */
export type InfraKafkaSecurity = 'scram' | 'tls' | 'scram+tls';
export const INFRA_KAFKA_SECURITY: readonly InfraKafkaSecurity[] = ['scram', 'tls', 'scram+tls'];

/** Environment a client (service, console) needs for the infra's secured Kafka and Postgres; no secrets, only paths. */
export interface InfraClientEnv {
  kafka?: Record<string, string>;
  database?: Record<string, string>;
}

export interface LocalKafkaSecurity {
  security: KafkaSecurityOptions;
  /** Client variables known before the start (SASL); the CA is added once the broker made it. */
  clientEnv: Record<string, string>;
  /** Where the credentials come from, for the summary. */
  notes: string[];
}

export function parseInfraKafkaSecurity(value: string | undefined): InfraKafkaSecurity | undefined {
  if (value === undefined || value === '' || value === 'none') return undefined;
  if ((INFRA_KAFKA_SECURITY as readonly string[]).includes(value)) return value as InfraKafkaSecurity;
  throw new LocalStackError(
    'INVALID_ARGUMENT',
    `--kafka-security must be one of none, ${INFRA_KAFKA_SECURITY.join(', ')}; got "${value}".`,
    { retryable: false },
  );
}

/**
 * The security of the local broker and the SCRAM user's credentials: user KAFKA_SASL_USERNAME (default
 * svc), mechanism KAFKA_SASL_MECHANISM (default SCRAM-SHA-512), password from KAFKA_SASL_PASSWORD_FILE,
 * KAFKA_SASL_PASSWORD, or generated once and kept in <kafkaDir>/credentials/<user>.password (0600).
 * Clients get the password as a file path (KAFKA_SASL_PASSWORD_FILE), never the value.
 */
export async function localKafkaSecurity(
  mode: InfraKafkaSecurity,
  kafkaDir: string,
  env: NodeJS.ProcessEnv,
): Promise<LocalKafkaSecurity> {
  const tls = mode !== 'scram';
  if (mode === 'tls') return { security: { tls: true }, clientEnv: {}, notes: [] };
  const username = env.KAFKA_SASL_USERNAME || 'svc';
  if (!/^[A-Za-z0-9._@-]{1,128}$/.test(username)) {
    throw new LocalStackError(
      'INVALID_ARGUMENT',
      `KAFKA_SASL_USERNAME "${username}" is not a valid SCRAM user.`,
      {
        retryable: false,
        hint: 'letters, digits and . _ @ - only',
      },
    );
  }
  const mechanism: ScramMechanism =
    env.KAFKA_SASL_MECHANISM === 'SCRAM-SHA-256' ? 'SCRAM-SHA-256' : 'SCRAM-SHA-512';
  const credentialsDir = join(kafkaDir, 'credentials');
  await mkdir(credentialsDir, { recursive: true, mode: 0o700 });
  let passwordFile = join(credentialsDir, `${username}.password`);
  let password: string;
  let source: string;
  if (env.KAFKA_SASL_PASSWORD_FILE) {
    passwordFile = env.KAFKA_SASL_PASSWORD_FILE;
    password = await readPasswordFile(passwordFile);
    source = `from KAFKA_SASL_PASSWORD_FILE (${passwordFile})`;
  } else if (env.KAFKA_SASL_PASSWORD) {
    password = env.KAFKA_SASL_PASSWORD;
    await writeFile(passwordFile, password, { mode: 0o600 });
    source = `from KAFKA_SASL_PASSWORD (copied to ${passwordFile} for clients)`;
  } else {
    const kept = await readIfExists(passwordFile);
    password = kept?.trim() || randomBytes(24).toString('base64url');
    if (!kept) await writeFile(passwordFile, password, { mode: 0o600 });
    source = kept ? `generated earlier, kept in ${passwordFile}` : `generated now into ${passwordFile}`;
  }
  return {
    security: { scram: { mechanism, users: [{ name: username, password }] }, ...(tls ? { tls: true } : {}) },
    clientEnv: {
      KAFKA_SASL_MECHANISM: mechanism,
      KAFKA_SASL_USERNAME: username,
      KAFKA_SASL_PASSWORD_FILE: passwordFile,
    },
    notes: [`SCRAM user ${username} (${mechanism}); password ${source}`],
  };
}

async function readPasswordFile(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).replace(/(\r?\n)+$/, '');
  } catch (cause) {
    throw new LocalStackError('INVALID_ARGUMENT', `KAFKA_SASL_PASSWORD_FILE ${path} cannot be read.`, {
      retryable: false,
      cause,
    });
  }
}

/** The client variables for a started secured broker: SASL (from before the start) plus TLS. */
export function kafkaClientEnv(
  cluster: KafkaCluster,
  before: Record<string, string>,
): Record<string, string> {
  return {
    ...before,
    ...(cluster.caFile ? { KAFKA_TLS: '1', KAFKA_TLS_CA_FILE: cluster.caFile } : {}),
  };
}

export function databaseClientEnv(postgres: PostgresServer): Record<string, string> {
  return postgres.caFile ? { DATABASE_SSL: 'verify-full', DATABASE_SSL_CA_FILE: postgres.caFile } : {};
}

/**
 * A service's environment with the infra's client variables applied. Inline secrets that would clash
 * with the file variables (KAFKA_SASL_PASSWORD vs KAFKA_SASL_PASSWORD_FILE) are removed.
 */
export function applyClientEnv(
  env: NodeJS.ProcessEnv,
  clientEnv: InfraClientEnv | undefined,
  use: { kafka: boolean; database: boolean } = { kafka: true, database: true },
): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...env };
  const kafka = use.kafka ? clientEnv?.kafka : undefined;
  const database = use.database ? clientEnv?.database : undefined;
  if (kafka && Object.keys(kafka).length > 0) {
    for (const name of Object.keys(result)) {
      if (name.startsWith('KAFKA_SASL_') || name.startsWith('KAFKA_TLS')) delete result[name];
    }
    Object.assign(result, kafka);
  }
  if (database && Object.keys(database).length > 0) {
    for (const name of Object.keys(result)) if (name.startsWith('DATABASE_SSL')) delete result[name];
    Object.assign(result, database);
  }
  return result;
}

/** `export …` lines for the summary, e.g. to paste into another terminal. */
export function envLines(vars: Record<string, string> | undefined): string[] {
  return Object.entries(vars ?? {}).map(([k, v]) => `${k}=${v}`);
}
