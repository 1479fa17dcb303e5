// The public API of the CLI, for tests that run its command line in-process (the entry is src/main.ts).
export { runCommandLine } from './command-line.ts';
