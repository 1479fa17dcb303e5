import { Admin } from '@platformatic/kafka';

/** SASL and TLS for probing a secured listener (same shape as KafkaCluster.clientSecurity()). */
export interface ProbeSecurity {
  sasl?: { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; username: string; password: string };
  tls?: { ca?: string; cert?: string; key?: string };
}

function securityOptions(security: ProbeSecurity | undefined) {
  return {
    ...(security?.sasl ? { sasl: { ...security.sasl } } : {}),
    ...(security?.tls ? { tls: { ...security.tls } } : {}),
  };
}

/**
 * One metadata round trip through a real client: the broker ids it reports, or the error.
 * A fresh client per probe, so a half-open connection from an earlier attempt cannot mask readiness.
 */
export async function probeBrokers(
  bootstrap: string[],
  timeoutMs = 3000,
  security?: ProbeSecurity,
): Promise<number[]> {
  const admin = new Admin({
    clientId: 'local-stack-readiness',
    bootstrapBrokers: bootstrap,
    retries: 0,
    timeout: timeoutMs,
    connectTimeout: timeoutMs,
    ...securityOptions(security),
  });
  try {
    const metadata = await admin.metadata({ topics: [], forceUpdate: true });
    return [...metadata.brokers.keys()].sort((a, b) => a - b);
  } finally {
    await admin.close().catch(() => undefined);
  }
}

/**
 * Creates __consumer_offsets now (Kafka makes it lazily on the first coordinator lookup), so the first
 * consumer group of a test run does not pay for it, and tests see the same broker state in any order.
 */
export async function warmUpGroupCoordinator(
  bootstrap: string[],
  timeoutMs = 30_000,
  security?: ProbeSecurity,
): Promise<void> {
  const admin = new Admin({
    clientId: 'local-stack-warmup',
    bootstrapBrokers: bootstrap,
    retries: 0,
    ...securityOptions(security),
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        const [found] = await admin.findCoordinator({ keyType: 0, keys: ['local-stack-warmup'] });
        if (found && found.nodeId >= 0) return;
      } catch (error) {
        // COORDINATOR_NOT_AVAILABLE while the offsets topic is being created: expected, try again.
        if (Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline) throw new Error(`no group coordinator after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await admin.close().catch(() => undefined);
  }
}
