import type { InventoryItemResponse } from '@kafka-poc/contracts';

/** An item's ETag: its row version, a strong validator (it changes with every change of the row). */
export function etagOf(item: InventoryItemResponse): string {
  return `"${item.version}"`;
}

/**
 * The version an If-Match asks for: undefined without the header, `'*'` for any existing item.
 * A list is reduced to its first strong tag; a weak or malformed tag can never match strongly
 * (RFC 9110 §13.1.1), so it asks for version -1, which no item has: the write is refused (412).
 */
export function parseIfMatch(header: string | undefined): number | '*' | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (text === '*') return '*';
  const match = /^"(\d{1,15})"/.exec(text);
  return match?.[1] ? Number(match[1]) : -1;
}
