import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { startKafka } from '../src/index.ts';

const cluster = await startKafka({ dataDir: '/tmp/kdup', ports: 'random' });
const bootstrapBrokers = cluster.bootstrapServers.split(',');
for (const proto of ['consumer', 'classic', 'consumer', 'classic'] as const) {
  const topic = `t-${proto}-${Date.now()}`;
  const admin = new Admin({ clientId: 'a', bootstrapBrokers });
  await admin.createTopics({ topics: [topic], partitions: 3, replicas: 1 });
  await admin.close();
  const producer = new Producer({
    clientId: 'p',
    bootstrapBrokers,
    serializers: stringSerializers,
    idempotent: proto === 'classic' ? false : true,
  });
  await producer.send({ messages: ['a', 'b', 'c', 'd', 'e'].map((key) => ({ topic, key, value: key })) });
  await producer.close();
  const consumer = new Consumer({
    clientId: 'c',
    groupId: `g-${topic}`,
    groupProtocol: proto,
    bootstrapBrokers,
    deserializers: stringDeserializers,
  } as never);
  const t0 = Date.now();
  for (const ev of [
    'consumer:group:join',
    'consumer:group:rebalance',
    'consumer:heartbeat:end',
    'consumer:group:assignment',
  ]) {
    (consumer as any).on(
      ev,
      (p: any) =>
        ev !== 'consumer:heartbeat:end' &&
        console.log(`  +${Date.now() - t0}ms ${ev}`, JSON.stringify(p)?.slice(0, 200)),
    );
  }
  const stream = await consumer.consume({
    topics: [topic],
    mode: 'committed',
    fallbackMode: 'earliest',
    autocommit: true,
  });
  const got: string[] = [];
  stream.on('data', (m: any) => {
    got.push(`${m.key}@p${m.partition}/o${m.offset}`);
    console.log(`  +${Date.now() - t0}ms msg ${m.key} p${m.partition} o${m.offset}`);
  });
  await new Promise((r) => setTimeout(r, 6000));
  console.log(proto, got.length, got.join(' '));
  await stream.close();
  await consumer.close(true);
}
await cluster.stop();
