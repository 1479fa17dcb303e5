import { describe, expect, it } from 'vitest';
import { type Facts, missingRequirements, report } from './checks.ts';

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
