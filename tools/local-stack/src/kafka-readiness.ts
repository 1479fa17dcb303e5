import { Admin } from '@platformatic/kafka';

/**
 * One metadata round trip through a real client: the broker ids it reports, or the error.
 * A fresh client per probe, so a half-open connection from an earlier attempt cannot mask readiness.
 */
export async function probeBrokers(bootstrap: string[], timeoutMs = 3000): Promise<number[]> {
  const admin = new Admin({
    clientId: 'local-stack-readiness',
    bootstrapBrokers: bootstrap,
    retries: 0,
    timeout: timeoutMs,
    connectTimeout: timeoutMs,
  });
  try {
    const metadata = await admin.metadata({ topics: [], forceUpdate: true });
    return [...metadata.brokers.keys()].sort((a, b) => a - b);
  } finally {
    await admin.close().catch(() => undefined);
  }
}
