import { readFileSync } from 'node:fs';
import { ConfigError } from './load-config.ts';

export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** SASL and TLS for every Kafka client (same shape as @kafka-poc/kafka's KafkaConnectionConfig). */
export interface KafkaSecurityConfig {
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
  /** true: TLS trusting Node's default CAs; an object: PEM text of the CA and/or client certificate + key. */
  tls?: true | { ca?: string; cert?: string; key?: string };
}

export type DatabaseSslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';

/** TLS to PostgreSQL with libpq's meaning of sslmode (see @kafka-poc/db's pgSslOptions). PEM text. */
export interface DatabaseSslConfig {
  mode: DatabaseSslMode;
  ca?: string;
  cert?: string;
  key?: string;
}

/** The parsed variables this file reads; *_FILE values are the files' contents by now. */
export interface KafkaSecurityEnv {
  KAFKA_SASL_MECHANISM?: SaslMechanism | undefined;
  KAFKA_SASL_USERNAME?: string | undefined;
  KAFKA_SASL_PASSWORD?: string | undefined;
  KAFKA_SASL_PASSWORD_FILE?: string | undefined;
  KAFKA_TLS?: boolean | undefined;
  KAFKA_TLS_CA_FILE?: string | undefined;
  KAFKA_TLS_CERT_FILE?: string | undefined;
  KAFKA_TLS_KEY_FILE?: string | undefined;
}

export interface DatabaseSslEnv {
  DATABASE_URL: string;
  DATABASE_SSL?: DatabaseSslMode | undefined;
  DATABASE_SSL_CA_FILE?: string | undefined;
}

type Issue = { path: string; message: string };

/** KAFKA_SASL_* and KAFKA_TLS* → client security; ConfigError for incomplete or contradictory settings. */
export function toKafkaSecurity(env: KafkaSecurityEnv): KafkaSecurityConfig {
  const issues: Issue[] = [];
  const username = env.KAFKA_SASL_USERNAME || undefined;
  const inline = env.KAFKA_SASL_PASSWORD || undefined;
  const fromFile = env.KAFKA_SASL_PASSWORD_FILE;
  if (inline && fromFile) {
    issues.push({
      path: 'KAFKA_SASL_PASSWORD_FILE',
      message: 'set either KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both',
    });
  }
  const password = inline ?? fromFile;
  if (username && !password) {
    issues.push({
      path: 'KAFKA_SASL_PASSWORD',
      message: 'KAFKA_SASL_USERNAME is set: set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE too',
    });
  }
  if (!username && (password || env.KAFKA_SASL_MECHANISM)) {
    issues.push({
      path: 'KAFKA_SASL_USERNAME',
      message: 'required when KAFKA_SASL_MECHANISM or a SASL password is set',
    });
  }

  const ca = env.KAFKA_TLS_CA_FILE;
  const cert = env.KAFKA_TLS_CERT_FILE;
  const key = env.KAFKA_TLS_KEY_FILE;
  if (Boolean(cert) !== Boolean(key)) {
    issues.push({
      path: cert ? 'KAFKA_TLS_KEY_FILE' : 'KAFKA_TLS_CERT_FILE',
      message: 'a client certificate needs its key: set both KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE',
    });
  }
  const files = ca || cert || key;
  if (env.KAFKA_TLS === false && files) {
    issues.push({ path: 'KAFKA_TLS', message: 'is off, but KAFKA_TLS_*_FILE is set' });
  }
  if (issues.length > 0) throw new ConfigError(issues);

  const tlsOn = env.KAFKA_TLS ?? Boolean(files);
  return {
    ...(username && password
      ? { sasl: { mechanism: env.KAFKA_SASL_MECHANISM ?? 'SCRAM-SHA-512', username, password } }
      : {}),
    ...(tlsOn
      ? {
          tls: files
            ? { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) }
            : (true as const),
        }
      : {}),
  };
}

const MODES: readonly string[] = ['disable', 'require', 'verify-ca', 'verify-full'];

/**
 * DATABASE_SSL (+ DATABASE_SSL_CA_FILE), else the `sslmode` (+ sslrootcert, sslcert, sslkey) of
 * DATABASE_URL, with libpq's meaning: require encrypts without verifying (verify-ca when a root
 * certificate is given, as libpq does), verify-full also checks the host name. Undefined when neither
 * says anything (then node-postgres sees DATABASE_URL as it is).
 */
export function toDatabaseSsl(env: DatabaseSslEnv): DatabaseSslConfig | undefined {
  const issues: Issue[] = [];
  const params = new URL(env.DATABASE_URL).searchParams;
  const urlMode = params.get('sslmode') ?? undefined;
  if (urlMode !== undefined && !MODES.includes(urlMode)) {
    issues.push({
      path: 'DATABASE_URL',
      message:
        urlMode === 'prefer' || urlMode === 'allow'
          ? `sslmode=${urlMode} cannot be honoured (node-postgres does not fall back between TLS and plaintext); use disable, require, verify-ca or verify-full`
          : `unknown sslmode=${urlMode}; use disable, require, verify-ca or verify-full`,
    });
  }
  const urlFile = (name: 'sslrootcert' | 'sslcert' | 'sslkey'): string | undefined => {
    const path = params.get(name);
    if (!path || (name === 'sslrootcert' && path === 'system')) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      issues.push({ path: 'DATABASE_URL', message: `cannot read the ${name} file ${path} (${reason})` });
      return undefined;
    }
  };
  const ca = env.DATABASE_SSL_CA_FILE ?? urlFile('sslrootcert');
  const cert = urlFile('sslcert');
  const key = urlFile('sslkey');
  let mode = env.DATABASE_SSL ?? (urlMode as DatabaseSslMode | undefined) ?? (ca ? 'verify-full' : undefined);
  if (mode === 'disable' && env.DATABASE_SSL_CA_FILE) {
    issues.push({ path: 'DATABASE_SSL_CA_FILE', message: 'is set, but DATABASE_SSL=disable' });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  if (mode === undefined) return undefined;
  if (mode === 'disable') return { mode };
  if (mode === 'require' && ca) mode = 'verify-ca';
  return { mode, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}
