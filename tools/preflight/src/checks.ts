/** What `npm test` needs from the machine besides `npm install`, and how to get it on Debian/Ubuntu. */
export interface Requirement {
  name: string;
  /** Why the tests need it. */
  why: string;
  /** The Debian/Ubuntu package that provides it. */
  apt: string;
}

export const REQUIREMENTS = {
  java: { name: 'a JDK 17+ (java)', why: 'the Kafka broker the tests start', apt: 'openjdk-17-jdk-headless' },
  maven: { name: 'Maven (mvn)', why: "downloads Kafka's jars once (then cached)", apt: 'maven' },
  chromium: { name: 'Chromium', why: "the console's browser tests (Playwright)", apt: 'chromium' },
  openssl: { name: 'openssl', why: 'the TLS certificates of the Kafka/PostgreSQL TLS tests', apt: 'openssl' },
} satisfies Record<string, Requirement>;

export interface Facts {
  /** Java's major version, undefined when java is missing or unreadable. */
  javaMajor: number | undefined;
  mavenOnPath: boolean;
  /** Kafka's jars already in the cache: Maven is not needed any more. */
  kafkaProvisioned: boolean;
  chromiumPath: string;
  chromiumExecutable: boolean;
  opensslOnPath: boolean;
}

export interface Missing {
  requirement: Requirement;
  detail: string;
}

/** The requirements the machine does not meet. */
export function missingRequirements(f: Facts): Missing[] {
  const missing: Missing[] = [];
  if (f.javaMajor === undefined) missing.push({ requirement: REQUIREMENTS.java, detail: 'java not found' });
  else if (f.javaMajor < 17)
    missing.push({ requirement: REQUIREMENTS.java, detail: `found Java ${f.javaMajor}` });
  if (!f.mavenOnPath && !f.kafkaProvisioned)
    missing.push({ requirement: REQUIREMENTS.maven, detail: 'mvn not found' });
  if (!f.chromiumExecutable) {
    missing.push({
      requirement: REQUIREMENTS.chromium,
      detail: `no executable at ${f.chromiumPath} (or set CHROMIUM_PATH)`,
    });
  }
  if (!f.opensslOnPath) missing.push({ requirement: REQUIREMENTS.openssl, detail: 'openssl not found' });
  return missing;
}

/** The message `npm test` stops with: what is missing, why, and the one line that installs it all. */
export function report(missing: Missing[]): string {
  const lines = missing.map((m) => `  - ${m.requirement.name}: ${m.detail}; needed for ${m.requirement.why}`);
  const apt = [...new Set(missing.map((m) => m.requirement.apt))].join(' ');
  return [
    'npm test: this machine lacks what the tests need:',
    ...lines,
    `Install it (Debian/Ubuntu, as root): apt-get install -y ${apt}`,
    'The full list of prerequisites: README.md, "Quick start".',
    '',
  ].join('\n');
}

/** A directory on the way to the checkout, with its permission bits. */
export interface Ancestor {
  path: string;
  mode: number;
}

/**
 * As root, the tests' PostgreSQL runs as the `postgres` user (initdb refuses root), and that user runs
 * the binaries under node_modules: every directory above the checkout must let others through
 * (o+x). /root is 700 by default, so a clone under it fails minutes into `npm test` with EACCES.
 * Returns the message to stop with, or undefined when nothing is in the way.
 */
export function rootCloneProblem(uid: number, ancestors: Ancestor[]): string | undefined {
  if (uid !== 0) return undefined;
  const blocked = ancestors.find((a) => (a.mode & 0o001) === 0);
  if (!blocked) return undefined;
  const mode = (blocked.mode & 0o777).toString(8).padStart(3, '0');
  return [
    `npm test: running as root, the tests' PostgreSQL runs as the user "postgres", which cannot enter`,
    `${blocked.path} (mode ${mode}) on the way to this checkout.`,
    'Clone the repository elsewhere (e.g. under /opt or /srv), or let others through: chmod o+x ' +
      blocked.path,
    '',
  ].join('\n');
}
