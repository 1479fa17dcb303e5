// `npm run cli -- <command>`: operate the running system's Kafka side (groups, replay, dead letters).
import { runCommandLine } from './command-line.ts';

process.exit(await runCommandLine(process.argv.slice(2), process.env));
