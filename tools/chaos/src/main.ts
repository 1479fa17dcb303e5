/** `npm run chaos`: parse options, run one campaign, exit 0 (passed), 1 (a violation) or 2 (could not run). */
import { ensureKafkaDist, ensureToxiproxy, formatCliError, printProgress } from '@kafka-poc/local-stack';
import { runCampaign } from './campaign.ts';
import { HELP, parseOptions } from './options.ts';

const print = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    print(HELP);
    return 0;
  }
  if (options.provision) {
    const started = performance.now();
    const onProgress = printProgress('chaos:provision');
    const [toxiproxy, jars] = await Promise.all([
      ensureToxiproxy({ onProgress }),
      ensureKafkaDist({ onProgress }),
    ]);
    print(
      `toxiproxy: ${toxiproxy}\nKafka jars: ${jars}\nready in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    return 0;
  }
  const interrupted = new AbortController();
  // Ctrl-C: heal, settle and check what ran so far (a second Ctrl-C stops at once; the watchdog cleans up).
  process.once('SIGINT', () => {
    print('interrupted: healing and checking what ran so far (Ctrl-C again to abort)');
    interrupted.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  const command = `npm run chaos -- ${process.argv.slice(2).join(' ')}`.trim();
  const { report } = await runCampaign(options, command, print, interrupted.signal);
  return report.passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`chaos: ${formatCliError(error)}\n`);
    process.exit(2);
  },
);
