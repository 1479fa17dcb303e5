import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The provisioned Grafana dashboard only queries metrics the services really export: every metric
// name in a panel expression must be registered somewhere in the services' or packages' code.

const root = join(import.meta.dirname, '..', '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

function registeredMetrics(): Set<string> {
  const names = new Set<string>();
  for (const dir of ['packages', 'services', 'apps']) {
    for (const file of sourceFiles(join(root, dir))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/name: '([a-z_:][a-z0-9_:]*)'/g))
        names.add(m[1] ?? '');
    }
  }
  return names;
}

describe('Grafana dashboard', () => {
  const dashboard = JSON.parse(
    readFileSync(join(root, 'deploy/observability/grafana/dashboards/kafka-poc.json'), 'utf8'),
  ) as { panels: { title: string; targets: { expr: string }[] }[] };

  it('covers throughput, latency, lag, dead letters and outbox backlog', () => {
    const titles = dashboard.panels.map((p) => p.title).join(' | ');
    for (const topic of [/Orders accepted/, /latency/, /lag/i, /Dead letters/, /Outbox backlog/])
      expect(titles).toMatch(topic);
  });

  it('queries only metrics the code registers', () => {
    const known = registeredMetrics();
    const promqlWords = new Set([
      'sum',
      'rate',
      'max',
      'by',
      'le',
      'histogram_quantile',
      'status',
      'topic',
      'outbox',
      'group',
      'partition',
      'outcome',
      'service',
      'state',
      'route',
      'method',
    ]);
    for (const panel of dashboard.panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const { expr } of panel.targets) {
        const metrics = [...expr.replace(/"[^"]*"/g, '').matchAll(/[a-z_][a-z0-9_]*/g)]
          .map((m) => m[0])
          .filter((w) => !promqlWords.has(w) && !/^\d/.test(w) && !['m'].includes(w));
        for (const metric of metrics) {
          const base = metric.replace(/_(bucket|count|sum)$/, '');
          expect(known.has(base) || known.has(metric), `${panel.title}: ${metric}`).toBe(true);
        }
      }
    }
  });
});
