// The rule for bench/results (docs/performance.md, "Results"): committed are latest.md and, for each
// run the docs cite, its report.md and charts; raw result.json and uncited runs stay local. This
// checks the committed files against it, so a broken link or a forgotten run fails `npm test`.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..', '..');
const RESULTS = 'bench/results';
// 1 MB: every cited run's report.md (10–20 KB each) and the charts of the run latest.md shows only
// (0.3 MB); older runs' charts and all raw data stay on the machine that ran them.
const MAX_BYTES = 1_000_000;

function trackedFiles(): string[] | undefined {
  try {
    const out = execFileSync('git', ['ls-files', '-z'], { cwd: repo, encoding: 'utf8' });
    return out.split('\0').filter(Boolean);
  } catch {
    return undefined; // not a git checkout (e.g. an unpacked archive): nothing to check
  }
}

/** Relative link targets of a markdown file, resolved to repository paths (anchors dropped). */
function links(file: string): string[] {
  const text = readFileSync(join(repo, file), 'utf8');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => (m[1] ?? '').split('#')[0] ?? '')
    .filter((target) => target !== '' && !/^[a-z]+:/i.test(target))
    .map((target) => normalize(join(dirname(file), decodeURIComponent(target))));
}

const tracked = trackedFiles();

describe.skipIf(tracked === undefined)('bench/results (committed files)', () => {
  const files = tracked ?? [];
  const results = files.filter((f) => f.startsWith(`${RESULTS}/`));
  const docs = files.filter((f) => f === 'README.md' || (f.startsWith('docs/') && f.endsWith('.md')));
  const reports = results.filter((f) => f.endsWith('.md'));

  it('holds only markdown reports and their SVG charts, no raw result.json', () => {
    expect(results.length).toBeGreaterThan(0);
    expect(results.filter((f) => !/\.(md|svg)$/.test(f))).toEqual([]);
  });

  it('keeps charts only of the run latest.md shows', () => {
    const latestRuns = new Set(
      links(`${RESULTS}/latest.md`).map((target) => relative(RESULTS, target).split('/')[0]),
    );
    const charts = results.filter((f) => f.endsWith('.svg'));
    expect(charts.filter((f) => !latestRuns.has(relative(RESULTS, f).split('/')[0]))).toEqual([]);
  });

  it(`stays under ${MAX_BYTES / 1e6} MB`, () => {
    const bytes = results.reduce((sum, f) => sum + statSync(join(repo, f)).size, 0);
    expect(bytes).toBeLessThanOrEqual(MAX_BYTES);
  });

  it('has every file a doc or a report links to under bench/results', () => {
    const set = new Set(files);
    const broken = [...docs, ...reports].flatMap((file) =>
      links(file)
        .filter((target) => target.startsWith(`${RESULTS}/`) && !set.has(target))
        .map((target) => `${file} → ${target}`),
    );
    expect(broken).toEqual([]);
  });

  it('has no run that README, docs/ or latest.md do not cite', () => {
    const cited = new Set(
      [...docs, `${RESULTS}/latest.md`].flatMap((file) =>
        links(file).map((target) => relative(RESULTS, target).split('/')[0]),
      ),
    );
    const runs = new Set(
      results
        .map((f) => relative(RESULTS, f).split('/'))
        .flatMap((parts) => (parts.length > 1 ? parts[0] : [])),
    );
    expect([...runs].filter((run) => !cited.has(run))).toEqual([]);
  });
});
