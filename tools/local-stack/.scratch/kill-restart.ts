import { printProgress, startKafka } from '../src/index.ts';

const c = await startKafka({ dataDir: '/tmp/kkill', ports: 'random', onProgress: printProgress('k') });
await c.stopNode(1, { signal: 'SIGKILL' });
console.log('killed', new Date().toISOString());
await c.startNode(1);
await c.stop();
