// A few lines instead of the `ms` package, which reads a bare number as milliseconds where our
// query parameter and setting mean seconds.
const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `500ms`, `30s`, `1.5m`, `2h`, or a bare number of seconds → milliseconds; undefined if not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,9}(?:\.\d{1,3})?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match?.[1]) return undefined;
  const unit = (match[2] ?? 's') as keyof typeof UNITS;
  return Math.round(Number(match[1]) * UNITS[unit]);
}

/** `30 s`, `1.5 min`, `250 ms`: for messages and reasons. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000 || ms % 60_000 !== 0) return `${ms / 1000} s`;
  return `${ms / 60_000} min`;
}
