import { ORDER_CURSOR } from '@kafka-poc/contracts';

/** Keyset pagination cursor over (created_at DESC, id DESC): stable while new orders arrive. */
export interface Cursor {
  createdAt: Date;
  id: string;
}

/** `<epoch ms>.<id>`: created_at has millisecond precision, so the cursor holds it exactly. */
export function encodeCursor(cursor: Cursor): string {
  return `${cursor.createdAt.getTime()}.${cursor.id}`;
}

/** Returns undefined for anything that does not have the published cursor format (ORDER_CURSOR). */
export function decodeCursor(text: string): Cursor | undefined {
  if (!ORDER_CURSOR.test(text)) return undefined;
  const dot = text.indexOf('.');
  return { createdAt: new Date(Number(text.slice(0, dot))), id: text.slice(dot + 1).toLowerCase() };
}
