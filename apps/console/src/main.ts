// Composition root of the console: read env once, wire, start, stop on SIGTERM/SIGINT.
import { ConfigError } from '@kafka-poc/config';
import { handleSignals } from '@kafka-poc/service-kit';
import { createConsole } from './app.ts';
import { type ConsoleConfig, loadConsoleConfig } from './config.ts';

let config: ConsoleConfig;
try {
  config = loadConsoleConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`console: ${error.message}\n`);
  process.exit(1);
}
const app = await createConsole(config);
handleSignals(() => app.stop(), app.logger);
await app.start();
