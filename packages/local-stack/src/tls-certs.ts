import { execFile } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { chmod, chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalStackError } from './errors.ts';
import { readIfExists } from './processes.ts';

/**
 * A throwaway certificate authority and the certificates it signed, all PEM files in one dir. Made with
 * `openssl` on first use and kept, so clients that trust ca.pem keep working across restarts.
 * For local brokers and tests only: the CA key sits unencrypted next to the certificates.
 */
export interface TlsMaterial {
  readonly dir: string;
  /** The CA certificate: what clients trust (KAFKA_TLS_CA_FILE, DATABASE_SSL_CA_FILE). */
  readonly caFile: string;
  /** Server certificate (SAN: localhost, 127.0.0.1) followed by the CA certificate. */
  readonly serverCertFile: string;
  /** Its unencrypted PKCS#8 private key. */
  readonly serverKeyFile: string;
  /** Client certificate (CN=client) for mutual TLS, and its key. */
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
}

const CA_DAYS = 3650;
const LEAF_DAYS = 825;
/** Leaf certificates this close to expiry are issued again (the CA stays). */
const RENEW_BEFORE_MS = 7 * 24 * 3600_000;

/** Paths of the material in `dir`, whether or not it exists yet. */
export function tlsMaterialPaths(dir: string): TlsMaterial {
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    serverCertFile: join(dir, 'server.pem'),
    serverKeyFile: join(dir, 'server.key'),
    clientCertFile: join(dir, 'client.pem'),
    clientKeyFile: join(dir, 'client.key'),
  };
}

/**
 * Returns the CA and certificates in `dir`, creating what is missing or about to expire. `owner`
 * (a uid/gid) gets the server key, for servers that run as another user (Postgres under root).
 */
export async function ensureTlsMaterial(
  dir: string,
  options: { owner?: { uid: number; gid: number } } = {},
): Promise<TlsMaterial> {
  const paths = tlsMaterialPaths(dir);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const caKey = join(dir, 'ca.key');
  const caValid =
    (await validFor(paths.caFile)) > RENEW_BEFORE_MS && (await readIfExists(caKey)) !== undefined;
  if (!caValid) {
    await openssl(
      [
        'req',
        '-x509',
        ...ecKey(),
        '-keyout',
        caKey,
        '-out',
        paths.caFile,
        '-days',
        String(CA_DAYS),
        '-subj',
        `/CN=kafka-poc local CA ${randomBytes(4).toString('hex')}`,
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      dir,
    );
  }
  const leaves = [
    { cert: paths.serverCertFile, key: paths.serverKeyFile, cn: 'localhost', usage: 'serverAuth,clientAuth' },
    { cert: paths.clientCertFile, key: paths.clientKeyFile, cn: 'client', usage: 'clientAuth' },
  ];
  for (const leaf of leaves) {
    if (caValid && (await validFor(leaf.cert)) > RENEW_BEFORE_MS && (await readIfExists(leaf.key))) continue;
    await issueLeaf(dir, caKey, paths.caFile, leaf);
  }
  await chmod(caKey, 0o600);
  await chmod(paths.clientKeyFile, 0o600);
  // Postgres refuses a key readable by others; it must belong to the user the server runs as.
  await chmod(paths.serverKeyFile, 0o600);
  if (options.owner) await chown(paths.serverKeyFile, options.owner.uid, options.owner.gid);
  return paths;
}

async function issueLeaf(
  dir: string,
  caKey: string,
  caFile: string,
  leaf: { cert: string; key: string; cn: string; usage: string },
): Promise<void> {
  const csr = join(dir, `${leaf.cn}.csr`);
  const ext = join(dir, `${leaf.cn}.ext`);
  const signed = join(dir, `${leaf.cn}.crt`);
  await writeFile(
    ext,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      `extendedKeyUsage=${leaf.usage}`,
      ...(leaf.cn === 'localhost' ? ['subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1'] : []),
      '',
    ].join('\n'),
  );
  try {
    await openssl(
      ['req', '-new', ...ecKey(), '-keyout', leaf.key, '-out', csr, '-subj', `/CN=${leaf.cn}`],
      dir,
    );
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        caFile,
        '-CAkey',
        caKey,
        '-set_serial',
        `0x${randomBytes(16).toString('hex')}`,
        '-days',
        String(LEAF_DAYS),
        '-extfile',
        ext,
        '-out',
        signed,
      ],
      dir,
    );
    // Leaf first, then the CA: a full chain, as Kafka's PEM keystore and most servers expect.
    const [leafPem, caPem] = await Promise.all([readIfExists(signed), readIfExists(caFile)]);
    await writeFile(leaf.cert, `${leafPem ?? ''}${caPem ?? ''}`);
  } finally {
    await Promise.all([csr, ext, signed].map((f) => rm(f, { force: true })));
  }
}

/** A P-256 key, unencrypted PKCS#8 (what Kafka's PEM keystore and Postgres both read). */
function ecKey(): string[] {
  return ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
}

/** Milliseconds until the first certificate in the file expires; 0 if it is missing or unreadable. */
async function validFor(file: string): Promise<number> {
  const pem = await readIfExists(file);
  if (!pem) return 0;
  try {
    return Date.parse(new X509Certificate(pem).validTo) - Date.now();
  } catch {
    return 0;
  }
}

function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { cwd, timeout: 30_000 }, (error, stdout, stderr) => {
      if (!error) return resolve();
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      reject(
        new LocalStackError(
          'TLS_SETUP_FAILED',
          missing
            ? 'openssl not found: it makes the throwaway CA and certificates for TLS.'
            : `openssl ${args[0]} failed: ${`${stdout}${stderr}`.trim() || error.message}`,
          {
            retryable: false,
            cause: error,
            hint: missing ? 'install it (apt-get install openssl, brew install openssl)' : `see ${cwd}`,
          },
        ),
      );
    });
  });
}
