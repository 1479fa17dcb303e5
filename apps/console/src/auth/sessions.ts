import { randomBytes } from 'node:crypto';

export interface SessionStoreOptions {
  ttlMs: number;
  /** Oldest sessions are dropped beyond this many (a flood of logins cannot grow memory without bound). */
  maxSessions?: number;
  now?: () => number;
}

/** Login sessions in memory: random ids, absolute expiry. A restart logs everyone out. */
export class SessionStore {
  readonly ttlMs: number;
  readonly #maxSessions: number;
  readonly #now: () => number;
  readonly #expiry = new Map<string, number>();

  constructor(options: SessionStoreOptions) {
    this.ttlMs = options.ttlMs;
    this.#maxSessions = options.maxSessions ?? 1000;
    this.#now = options.now ?? Date.now;
  }

  create(): string {
    this.#prune();
    while (this.#expiry.size >= this.#maxSessions) {
      const oldest = this.#expiry.keys().next().value;
      if (oldest === undefined) break;
      this.#expiry.delete(oldest);
    }
    const id = randomBytes(32).toString('base64url');
    this.#expiry.set(id, this.#now() + this.ttlMs);
    return id;
  }

  isValid(id: string | undefined): boolean {
    if (!id) return false;
    const expiresAt = this.#expiry.get(id);
    if (expiresAt === undefined) return false;
    if (expiresAt <= this.#now()) {
      this.#expiry.delete(id);
      return false;
    }
    return true;
  }

  delete(id: string | undefined): void {
    if (id) this.#expiry.delete(id);
  }

  get size(): number {
    return this.#expiry.size;
  }

  #prune(): void {
    const now = this.#now();
    for (const [id, expiresAt] of this.#expiry) if (expiresAt <= now) this.#expiry.delete(id);
  }
}
