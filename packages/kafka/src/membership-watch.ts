import { errorChain } from './error-mapping.ts';

/**
 * Answers that mean the broker does not accept this member's generation or epoch. During a
 * rebalance they are normal and pass once the library has rejoined.
 */
const MEMBERSHIP_ERRORS = new Set([
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'FENCED_MEMBER_EPOCH',
  'STALE_MEMBER_EPOCH',
]);

/**
 * Tells a passing membership error from one that lasts. Seen in the chaos campaign: a classic
 * member that had joined while the group was a consumer-protocol group (a rolling upgrade rolled
 * back) and whose coordinator then moved had every offset commit refused with ILLEGAL_GENERATION,
 * rejoin after rejoin, so its handled records were never committed. A new member gets a valid
 * generation. `failed` returns what to report once such errors have lasted `stallMs` with no
 * success between (`succeeded`).
 */
export class MembershipWatch {
  readonly #stallMs: number;
  #since: number | undefined;

  constructor(stallMs: number) {
    this.#stallMs = stallMs;
  }

  /** An operation failed: `{ apiId, forMs }` once membership errors have lasted stallMs, else undefined. */
  failed(error: unknown, now = Date.now()): { apiId: string; forMs: number } | undefined {
    const apiId = errorChain(error).find(
      (e) => e.apiId !== undefined && MEMBERSHIP_ERRORS.has(e.apiId),
    )?.apiId;
    if (apiId === undefined) return undefined;
    this.#since ??= now;
    const forMs = now - this.#since;
    return forMs >= this.#stallMs ? { apiId, forMs } : undefined;
  }

  /** The operation succeeded: the member is in good standing again. */
  succeeded(): void {
    this.#since = undefined;
  }
}
