/** Prints rows as an aligned text table (the CLI's only output format besides --json). */
export function printTable(
  rows: Record<string, string | number | bigint | undefined>[],
  out = process.stdout,
): void {
  if (rows.length === 0) {
    out.write('(none)\n');
    return;
  }
  const columns = Object.keys(rows[0] ?? {});
  const cell = (v: unknown) => (v === undefined ? '-' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) =>
    `${values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()}\n`;
  out.write(line(columns.map((c) => c.toUpperCase())));
  for (const row of rows) out.write(line(columns.map((c) => cell(row[c]))));
}

/** JSON output that survives bigint offsets. */
export function printJson(value: unknown, out = process.stdout): void {
  out.write(`${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
}
