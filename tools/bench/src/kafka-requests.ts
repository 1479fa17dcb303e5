/**
 * Requests the broker served, by kind (Produce, Fetch, OffsetCommit, ConsumerGroupHeartbeat, …),
 * from its own counters: JMX `kafka.network:type=RequestMetrics,name=RequestsPerSec,request=*,version=*`
 * (attribute Count, cumulative since the broker started), read with Kafka's own
 * `org.apache.kafka.tools.JmxTool` from the broker's jars. The broker must run with remote JMX on
 * 127.0.0.1 (`jmxJvmArgs`). A read starts a short-lived JVM (< 1 s), so the bench reads only at phase
 * boundaries, outside the windows it measures CPU over.
 */
import { spawn } from 'node:child_process';

/** JVM flags for remote JMX without authentication, reachable only from 127.0.0.1. */
export function jmxJvmArgs(port: number): string[] {
  return [
    `-Dcom.sun.management.jmxremote.port=${port}`,
    `-Dcom.sun.management.jmxremote.rmi.port=${port}`,
    '-Dcom.sun.management.jmxremote.host=127.0.0.1',
    '-Djava.rmi.server.hostname=127.0.0.1',
    '-Dcom.sun.management.jmxremote.authenticate=false',
    '-Dcom.sun.management.jmxremote.ssl=false',
  ];
}

/** Request kind → requests served since the broker started (all API versions together). */
export type RequestCounts = Record<string, number>;

/**
 * Parses JmxTool's `--report-format properties` output: lines like
 * `kafka.network:type=RequestMetrics,name=RequestsPerSec,request=Fetch,version=17:Count=1234`.
 */
export function parseRequestCounts(output: string): RequestCounts {
  const counts: RequestCounts = {};
  for (const line of output.split('\n')) {
    const match = /name=RequestsPerSec,request=([A-Za-z]+),version=\d+:Count=(\d+)/.exec(line);
    if (!match?.[1]) continue;
    counts[match[1]] = (counts[match[1]] ?? 0) + Number(match[2]);
  }
  return counts;
}

/** after − before per kind (kinds that did not change are left out). */
export function requestDelta(before: RequestCounts, after: RequestCounts): RequestCounts {
  const delta: RequestCounts = {};
  for (const [kind, n] of Object.entries(after)) {
    const d = n - (before[kind] ?? 0);
    if (d > 0) delta[kind] = d;
  }
  return delta;
}

/** Reads the broker's request counters once; rejects when JmxTool fails or prints none. */
export function readRequestCounts(args: {
  java: string;
  libsDir: string;
  jmxPort: number;
  timeoutMs?: number;
}): Promise<RequestCounts> {
  const jmxArgs = [
    '-Xmx64m',
    '-XX:TieredStopAtLevel=1',
    '-cp',
    `${args.libsDir}/*`,
    'org.apache.kafka.tools.JmxTool',
    '--jmx-url',
    `service:jmx:rmi:///jndi/rmi://127.0.0.1:${args.jmxPort}/jmxrmi`,
    '--object-name',
    'kafka.network:type=RequestMetrics,name=RequestsPerSec,*',
    '--attributes',
    'Count',
    '--one-time',
    'true',
    '--report-format',
    'properties',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(args.java, jmxArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), args.timeoutMs ?? 30_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const counts = parseRequestCounts(out);
      if (code === 0 && Object.keys(counts).length > 0) resolve(counts);
      else reject(new Error(`JmxTool exited ${code}: ${out.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}
