import { sleep } from '@kafka-poc/resilience';

export interface Placed {
  status: number;
  id?: string;
}

/** The README's `curl -X POST localhost:8000/orders …`; a refused connection is status 0. */
export async function placeOrder(base: string, item: string, quantity: number): Promise<Placed> {
  try {
    const res = await fetch(`${base}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ item, quantity }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json().catch(() => ({}))) as { id?: string };
    return { status: res.status, id: res.status === 201 ? body.id : undefined };
  } catch {
    return { status: 0 };
  }
}

export async function getJson<T>(url: string): Promise<{ status: number; body?: T }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as T | undefined };
  } catch {
    return { status: 0 };
  }
}

/** Polls until `check` returns a value (not undefined), or fails with `what` after timeoutMs. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
  everyMs = 1000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await sleep(everyMs);
  }
  throw new Error(`${what}: not within ${(timeoutMs / 1000).toFixed(0)} s`);
}

const ITEMS = ['Laptop', 'Phone', 'Headphones', 'Monitor', 'Keyboard'];

/**
 * A steady stream of orders (quantity 1, items in turn) from the host, like the docs' shell loop:
 * keeps the ids of accepted orders (201) and counts the refused ones by status (503 while PostgreSQL
 * is down, 0 when nothing answers).
 */
export class OrderLoad {
  readonly accepted: string[] = [];
  readonly refused = new Map<number, number>();
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly base: string;
  private readonly perSecond: number;

  constructor(base: string, perSecond: number) {
    this.base = base;
    this.perSecond = perSecond;
  }

  start(): void {
    this.running = true;
    this.loop = (async () => {
      let n = 0;
      const started = Date.now();
      while (this.running) {
        const placed = await placeOrder(this.base, ITEMS[n % ITEMS.length] ?? 'Laptop', 1);
        if (placed.id) this.accepted.push(placed.id);
        else this.refused.set(placed.status, (this.refused.get(placed.status) ?? 0) + 1);
        n++;
        const due = started + (n * 1000) / this.perSecond;
        if (due > Date.now()) await sleep(due - Date.now());
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  summary(): string {
    const refused = [...this.refused].map(([s, n]) => `${n} × ${s === 0 ? 'no answer' : s}`).join(', ');
    return `${this.accepted.length} accepted${refused ? `, refused ${refused}` : ''}`;
  }
}
