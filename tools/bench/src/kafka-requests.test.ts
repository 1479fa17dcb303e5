import { describe, expect, it } from 'vitest';
import { jmxJvmArgs, parseRequestCounts, requestDelta } from './kafka-requests.ts';

describe('broker request counts', () => {
  it("parses JmxTool's properties output, summing API versions", () => {
    const output = [
      'Trying to connect to JMX url: service:jmx:rmi:///jndi/rmi://127.0.0.1:42195/jmxrmi',
      'time=1796418246698',
      'kafka.network:type=RequestMetrics,name=RequestsPerSec,request=ApiVersions,version=3:Count=1',
      'kafka.network:type=RequestMetrics,name=RequestsPerSec,request=ApiVersions,version=5:Count=2',
      'kafka.network:type=RequestMetrics,name=RequestsPerSec,request=Fetch,version=17:Count=1234',
    ].join('\n');
    expect(parseRequestCounts(output)).toEqual({ ApiVersions: 3, Fetch: 1234 });
  });

  it('keeps only the kinds that changed', () => {
    expect(requestDelta({ Fetch: 10, Produce: 5 }, { Fetch: 30, Produce: 5, OffsetCommit: 2 })).toEqual({
      Fetch: 20,
      OffsetCommit: 2,
    });
  });

  it('binds JMX to loopback without authentication', () => {
    const args = jmxJvmArgs(4321);
    expect(args).toContain('-Dcom.sun.management.jmxremote.port=4321');
    expect(args).toContain('-Djava.rmi.server.hostname=127.0.0.1');
  });
});
