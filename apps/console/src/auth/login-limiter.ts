// Own code: @fastify/rate-limit counts every request, this counts failed logins only and forgets them on success.
export interface LoginLimiterOptions {
  /** Failed attempts allowed per client within the window. */
  maxFailures: number;
  windowMs: number;
  now?: () => number;
}

/** Slows down token guessing: after maxFailures failed logins from one address, refuse until the window passes. */
export class LoginLimiter {
  readonly #options: Required<LoginLimiterOptions>;
  readonly #failures = new Map<string, number[]>();

  constructor(options: LoginLimiterOptions) {
    this.#options = { now: Date.now, ...options };
  }

  /** Milliseconds until this client may try again, or 0 when it may now. */
  retryAfterMs(client: string): number {
    const recent = this.#recent(client);
    if (recent.length < this.#options.maxFailures) return 0;
    const oldest = recent[0] ?? this.#options.now();
    return Math.max(0, oldest + this.#options.windowMs - this.#options.now());
  }

  recordFailure(client: string): void {
    const recent = this.#recent(client);
    recent.push(this.#options.now());
    this.#failures.set(client, recent);
    // Bound memory: forget the oldest clients first.
    if (this.#failures.size > 10_000) {
      const first = this.#failures.keys().next().value;
      if (first !== undefined) this.#failures.delete(first);
    }
  }

  recordSuccess(client: string): void {
    this.#failures.delete(client);
  }

  #recent(client: string): number[] {
    const since = this.#options.now() - this.#options.windowMs;
    const recent = (this.#failures.get(client) ?? []).filter((t) => t > since);
    if (recent.length === 0) this.#failures.delete(client);
    return recent;
  }
}
