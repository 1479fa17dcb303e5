// Formatting shared by the browser app (and its unit tests): no DOM, no Node.

/** 1234567 → "1,234,567"; null → "–". */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return Math.round(value).toLocaleString('en-US');
}

/** A rate with one decimal below 10 ("3.4/s"), whole above. */
export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined) return '–';
  return `${perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond).toLocaleString('en-US')}/s`;
}

/** 850 → "850 ms", 1500 → "1.5 s", 125000 → "2 min 5 s". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  if (minutes < 60) return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** "2026-01-31 12:00:05.123" in UTC, or local time when asked. */
export function formatTimestamp(
  ms: number | string | null | undefined,
  zone: 'utc' | 'local' = 'local',
): string {
  if (ms === null || ms === undefined) return '–';
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return '–';
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const utc = zone === 'utc';
  const y = utc ? date.getUTCFullYear() : date.getFullYear();
  const mo = (utc ? date.getUTCMonth() : date.getMonth()) + 1;
  const d = utc ? date.getUTCDate() : date.getDate();
  const h = utc ? date.getUTCHours() : date.getHours();
  const mi = utc ? date.getUTCMinutes() : date.getMinutes();
  const s = utc ? date.getUTCSeconds() : date.getSeconds();
  const msPart = utc ? date.getUTCMilliseconds() : date.getMilliseconds();
  return `${y}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}:${pad(s)}.${pad(msPart, 3)}`;
}

/** "just now", "42 s ago", "5 min ago", "3 h ago", then the date. */
export function formatAge(ms: number | string, now: number): string {
  const t = typeof ms === 'number' ? ms : Date.parse(ms);
  const age = Math.max(0, now - t);
  if (age < 2000) return 'just now';
  if (age < 60_000) return `${Math.floor(age / 1000)} s ago`;
  if (age < 3_600_000) return `${Math.floor(age / 60_000)} min ago`;
  if (age < 86_400_000) return `${Math.floor(age / 3_600_000)} h ago`;
  return formatTimestamp(t).slice(0, 10);
}

/** Pretty-printed JSON when the text is JSON, else the text as it is. */
export function prettyValue(text: string): { text: string; json: boolean } {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return { text, json: false };
  try {
    return { text: JSON.stringify(JSON.parse(trimmed), null, 2), json: true };
  } catch {
    return { text, json: false };
  }
}

/** First `max` characters on one line, with an ellipsis when cut. */
export function preview(text: string, max = 120): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Parses "name: value" lines (or a JSON object) into headers; returns an error message when invalid. */
export function parseHeaders(text: string): { headers: Record<string, string> } | { error: string } {
  const trimmed = text.trim();
  if (!trimmed) return { headers: {} };
  if (trimmed.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        return { error: 'headers JSON must be an object' };
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(parsed)) {
        if (typeof v !== 'string') return { error: `header ${k}: value must be a string` };
        headers[k] = v;
      }
      return { headers };
    } catch {
      return { error: 'headers are not valid JSON' };
    }
  }
  const headers: Record<string, string> = {};
  for (const [i, raw] of trimmed.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return { error: `line ${i + 1}: expected "name: value"` };
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return { headers };
}
