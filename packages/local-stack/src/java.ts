import { type ExecFileException, execFile } from 'node:child_process';
import { join } from 'node:path';
import { LocalStackError } from './errors.ts';

export const MIN_JAVA_MAJOR = 17;
const INSTALL_HINT = 'install a JDK 17+ and Maven, e.g. apt-get install openjdk-17-jdk-headless maven';

/** The java binary to use: $JAVA_HOME/bin/java when JAVA_HOME is set, else `java` from PATH. */
export function javaBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java';
}

/**
 * Major version from `java -version` output: `openjdk version "17.0.15"` → 17, `java version "1.8.0_292"` → 8.
 * Returns undefined when the text has no recognisable version.
 */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 ? Number(match[2]) : first;
}

function run(command: string, args: string[]): Promise<{ output: string; error?: ExecFileException }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ output: `${stdout}${stderr}`, error: error ?? undefined });
    });
  });
}

/** Checks that Java 17+ is installed; returns the binary and its major version. */
export async function checkJava(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ java: string; major: number }> {
  const java = javaBinary(env);
  const { output, error } = await run(java, ['-version']);
  if (error?.code === 'ENOENT') {
    throw new LocalStackError('JAVA_MISSING', `Java not found (tried "${java}").`, {
      retryable: false,
      hint: INSTALL_HINT,
      cause: error,
    });
  }
  const major = parseJavaMajor(output);
  if (major === undefined) {
    throw new LocalStackError(
      'JAVA_MISSING',
      `Could not read the Java version from "${java} -version":\n${output}`,
      {
        retryable: false,
        hint: INSTALL_HINT,
        cause: error,
      },
    );
  }
  if (major < MIN_JAVA_MAJOR) {
    throw new LocalStackError(
      'JAVA_TOO_OLD',
      `Kafka 4 needs Java ${MIN_JAVA_MAJOR}+, found Java ${major} (${java}).`,
      {
        retryable: false,
        hint: `${INSTALL_HINT}; or point JAVA_HOME at a newer JDK`,
      },
    );
  }
  return { java, major };
}

/** Checks that Maven is installed (only needed the first time, to download the Kafka jars). */
export async function checkMaven(): Promise<string> {
  const { output, error } = await run('mvn', ['-v']);
  if (error) {
    throw new LocalStackError(
      'MAVEN_MISSING',
      `Maven ("mvn") is needed once to download the Kafka jars but ${error.code === 'ENOENT' ? 'was not found' : `failed: ${output}`}.`,
      { retryable: false, hint: INSTALL_HINT, cause: error },
    );
  }
  // `mvn -v` colours its first line; drop ANSI escape sequences (ESC = char code 27).
  const esc = String.fromCharCode(27);
  return (
    output
      .split('\n')[0]
      ?.split(esc)
      .join('')
      .replace(/\[[0-9;]*m/g, '') ?? 'mvn'
  );
}
