/** `npm run kafka:provision`: download the Kafka jars into the cache (once) and print where they are. */
import { checkJava, ensureKafkaDist, formatCliError, printProgress } from '@kafka-poc/local-stack';

try {
  const startedAt = performance.now();
  // Checked even when the jars are cached: without Java 17+ they are of no use.
  const { java, major } = await checkJava();
  process.stderr.write(`java: ${java} (Java ${major})\n`);
  const libs = await ensureKafkaDist({ onProgress: printProgress('kafka:provision') });
  process.stdout.write(
    `Kafka jars ready in ${libs} (${((performance.now() - startedAt) / 1000).toFixed(1)} s)\n`,
  );
} catch (error) {
  process.stderr.write(`kafka:provision: ${formatCliError(error)}\n`);
  process.exit(1);
}
