import { startKafka } from '../src/kafka-broker.ts';
import { printProgress } from '../src/progress.ts';

const t = performance.now();
const c = await startKafka({
  dataDir: process.argv[2] ?? '/tmp/k1',
  brokers: Number(process.argv[3] ?? 1) as 1 | 3,
  ports: 'random',
  onProgress: printProgress('kafka'),
});
console.log(
  c.bootstrapServers,
  c.nodes.map((n) => n.pid),
  (performance.now() - t).toFixed(0),
);
const s = performance.now();
await c.stop();
console.log('stopped in', (performance.now() - s).toFixed(0));
