import { describe, expect, it } from 'vitest';
import { debianMirror } from './base-image.ts';
import { parseImageRef } from './image-ref.ts';
import { pullFailure } from './images.ts';
import { bundledNpm, provisionFor } from './standins.ts';

describe('stand-ins', () => {
  it('reads the npm a Node release bundles from its changelog (newest entry first)', () => {
    expect(bundledNpm('* deps: upgrade npm to 11.19.0\n* deps: upgrade npm to 11.18.0')).toBe('11.19.0');
    expect(bundledNpm('nothing here')).toBeUndefined();
  });

  it('has a recipe for the images the stack needs and a reason for those it cannot provide', async () => {
    expect((await provisionFor(parseImageRef('haproxy:3.2-alpine'))).kind).toBe('stand-in');
    expect((await provisionFor(parseImageRef('prom/prometheus:v3.7.3'))).kind).toBe('stand-in');
    const grafana = await provisionFor(parseImageRef('grafana/grafana:12.2.1'));
    expect(grafana.kind === 'unavailable' && grafana.reason).toMatch(/Grafana/);
    const other = await provisionFor(parseImageRef('postgres:15'));
    expect(other.kind === 'unavailable' && other.reason).toMatch(/not 15/);
  });

  it('says why a pull failed in a few words', () => {
    expect(
      pullFailure(
        'Error: initializing source docker://haproxy:3.2-alpine: pinging container registry registry-1.docker.io: Get "https://registry-1.docker.io/v2/": dial tcp: lookup',
      ),
    ).toBe('registry registry-1.docker.io unreachable');
  });

  it("finds the machine's Debian mirror in deb822 and one-line sources", () => {
    expect(debianMirror(['Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm\n'])).toBe(
      'http://mirror.example/debian',
    );
    expect(debianMirror(['deb http://deb.example/debian bookworm main\n'])).toBe('http://deb.example/debian');
    expect(debianMirror(['Types: deb\nURIs: http://deb.debian.org/debian-security\n'])).toBe(
      'http://deb.debian.org/debian',
    );
  });
});

describe('fresh machine', () => {
  it("reads the packages of README's apt-get line", async () => {
    const { readmePackages } = await import('./fresh-machine.ts');
    const readme =
      '# x\n\n## Quick start\n\n- `apt-get install openjdk-17-jdk-headless maven\n  chromium openssl` — why\n\n## Next\n`apt-get install nope`';
    expect(readmePackages(readme)).toEqual(['openjdk-17-jdk-headless', 'maven', 'chromium', 'openssl']);
  });
});
