// `npm run check:layers`, part 3: no source file outside a service names that service's tables in
// SQL (FROM, JOIN, INTO, UPDATE, TRUNCATE). The grants already stop other services' roles and the
// console at run time; this catches tests, tools and the bench (which connect as the administrator)
// before they come to depend on a service's private columns. Readers use the published views
// (VIEWS in @kafka-poc/contracts). A home-made scan: the rule is ours, no linter knows it.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ALL_SERVICE_DATA, type ServiceData } from '@kafka-poc/contracts';
import { repoRoot } from '@kafka-poc/local-stack';

/** Files allowed to name another service's tables, and why. Keep it short. */
export const EXCEPTIONS: Record<string, string> = {
  'test/pipeline/gray-failures.int.test.ts':
    "injects faults into the services' own tables (locks, renames, triggers, constraints); reads use the views",
  'test/pipeline/data-ownership.int.test.ts': 'builds a database of the older layout to test its upgrade',
  'test/pipeline/rebuild.int.test.ts':
    "stages notification-service's rows at exact time boundaries to test its rebuild (reads use the views)",
  'test/pipeline/lifecycle-expiry.int.test.ts':
    'stages orders and notifications as the previous release left them, to test their announcement (reads use the views)',
  'tools/chaos/src/faults/database.ts':
    "the nemesis locks the services' own rows and tables (lock-hold, deadlock); reads use the views",
  'tools/bench/src/bound-postgres.ts':
    "copies order-service's tables to measure Postgres itself on its statement",
  'tools/bench/src/report.test.ts': 'a pg_stat_statements line as report input, not a query',
  'tools/bench/src/pg-stats.test.ts': 'pg_stat_statements texts as input to their naming, not queries',
  'tools/dev/src/check-data-ownership.test.ts': "this check's own examples",
};

export interface Finding {
  file: string;
  line: number;
  table: string;
  owner: string;
}

const SCANNED = ['packages', 'services', 'apps', 'tools', 'test'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.data', 'test-results']);

/** The SQL that names `table` (optionally schema-qualified, optionally quoted) after a keyword that reads or writes it. */
function tablePattern(table: string): RegExp {
  return new RegExp(
    `\\b(?:FROM|JOIN|INTO|UPDATE|TRUNCATE)\\s+(?:ONLY\\s+)?(?:"?[a-z_][a-z0-9_]*"?\\s*\\.\\s*)?"?${table}"?(?![\\w-])`,
    'i',
  );
}

/** Findings in one file's text; `owner` is the service whose directory holds the file, if any. */
export function findForeignTables(file: string, text: string, owners: readonly ServiceData[]): Finding[] {
  const patterns = owners
    .filter((o) => !file.startsWith(`services/${o.service}/`))
    .flatMap((o) => o.tables.map((table) => ({ owner: o.service, table, pattern: tablePattern(table) })));
  const findings: Finding[] = [];
  text.split('\n').forEach((line, index) => {
    const code = line.trimStart();
    if (code.startsWith('//') || code.startsWith('*') || code.startsWith('/*')) return;
    for (const { owner, table, pattern } of patterns) {
      if (pattern.test(line)) findings.push({ file, line: index + 1, table, owner });
    }
  });
  return findings;
}

function sourceFiles(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : sourceFiles(root, path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

if (import.meta.main) {
  const root = repoRoot();
  const files = SCANNED.flatMap((dir) => sourceFiles(root, dir)).map((f) => relative(root, join(root, f)));
  const findings = files
    .filter((file) => !(file in EXCEPTIONS))
    .flatMap((file) => findForeignTables(file, readFileSync(join(root, file), 'utf8'), ALL_SERVICE_DATA));
  for (const f of findings) {
    console.error(
      `✖ ${f.file}:${f.line}: names ${f.owner}'s table "${f.table}"; read its published views (VIEWS in @kafka-poc/contracts)`,
    );
  }
  if (findings.length > 0) process.exit(1);
  console.log(`✔ ${files.length} files: no SQL outside a service names its tables`);
}
