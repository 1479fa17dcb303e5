import { describe, expect, it } from 'vitest';
import { type Facts, missingRequirements, report, rootCloneProblem } from './checks.ts';

const ready: Facts = {
  javaMajor: 17,
  mavenOnPath: true,
  kafkaProvisioned: false,
  chromiumPath: '/usr/bin/chromium',
  chromiumExecutable: true,
  opensslOnPath: true,
};

describe('preflight', () => {
  it('passes a machine with everything', () => {
    expect(missingRequirements(ready)).toEqual([]);
  });

  it('needs Maven only until the Kafka jars are cached', () => {
    expect(missingRequirements({ ...ready, mavenOnPath: false }).map((m) => m.requirement.apt)).toEqual([
      'maven',
    ]);
    expect(missingRequirements({ ...ready, mavenOnPath: false, kafkaProvisioned: true })).toEqual([]);
  });

  it('names what is missing and one install line for all of it', () => {
    const missing = missingRequirements({
      ...ready,
      javaMajor: 11,
      chromiumExecutable: false,
      opensslOnPath: false,
    });
    const text = report(missing);
    expect(text).toContain('found Java 11');
    expect(text).toContain('no executable at /usr/bin/chromium');
    expect(text).toContain('apt-get install -y openjdk-17-jdk-headless chromium openssl');
  });
});

describe('preflight as root', () => {
  const ancestors = [
    { path: '/', mode: 0o40755 },
    { path: '/root', mode: 0o40700 },
    { path: '/root/src', mode: 0o40755 },
  ];

  it('stops a checkout under a directory the postgres user cannot enter, naming it', () => {
    const message = rootCloneProblem(0, ancestors);
    expect(message).toContain('/root (mode 700)');
    expect(message).toContain('chmod o+x /root');
  });

  it('lets through other users, and root when every directory on the way is open', () => {
    expect(rootCloneProblem(1000, ancestors)).toBeUndefined();
    expect(
      rootCloneProblem(0, [
        { path: '/', mode: 0o40755 },
        { path: '/opt/app', mode: 0o40711 },
      ]),
    ).toBeUndefined();
  });
});
