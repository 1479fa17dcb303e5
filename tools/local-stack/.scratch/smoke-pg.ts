import pg from 'pg';
import { startPostgres } from '../src/postgres.ts';
import { printProgress } from '../src/progress.ts';

const t = performance.now();
const s = await startPostgres({
  dataDir: process.argv[2] ?? '/tmp/p1',
  port: 0,
  fsync: false,
  onProgress: printProgress('pg'),
});
console.log(s.databaseUrl, s.pid, (performance.now() - t).toFixed(0));
const c = new pg.Client(s.databaseUrl);
await c.connect();
await c.query('create table if not exists t(x int)');
await c.query('insert into t values (1)');
await c.end();
let a = performance.now();
await s.stop();
console.log('stop', (performance.now() - a).toFixed(0), s.pid);
a = performance.now();
await s.start();
console.log('start', (performance.now() - a).toFixed(0), s.pid);
const c2 = new pg.Client(s.databaseUrl);
await c2.connect();
console.log((await c2.query('select count(*) from t')).rows);
await c2.end();
console.log(await s.createDatabase('foo_1'));
await s.stop();
await s.stop();
console.log('listeners', process.listenerCount('SIGINT'), process.listenerCount('beforeExit'));
