/**
 * How long each part of a relay's lock handling may take, derived from one number: the takeover
 * bound T (`OUTBOX_RELAY_TAKEOVER_MS`), the longest a standby waits after the active relay froze,
 * was cut off or died before it publishes in its place.
 *
 * The holder's lock session is ended by the server after `idleSessionTimeoutMs` (I = 0.6 T) without
 * a statement (`idle_session_timeout`), which releases the lock: the holder heartbeats every I/4, so
 * only a frozen or cut-off holder goes that long. A standby tries the lock every `standbyRetryMs`
 * (S ≤ 0.2 T), so it holds the lock at most I + S + one connect after the holder went silent: ≤ T.
 *
 * The holder, for its part, publishes a batch only while its last proof of the lock was *sent* less
 * than `freshMs` (I/2) ago: the server cannot have ended the session before I after that proof, so a
 * holder that paused finds out before its next batch instead of publishing beside the new holder.
 */
export interface RelayTiming {
  takeoverMs: number;
  /** Server side: a lock session silent this long is ended (its lock released). */
  idleSessionTimeoutMs: number;
  /** Server side: unacknowledged data on the lock connection this long ends it (a cut link). */
  tcpUserTimeoutMs: number;
  /** Server-side TCP keepalives on the lock connection, in seconds (a cut link while idle). */
  keepalive: { idleS: number; intervalS: number; count: number };
  /** How often the active relay proves it holds the lock while nothing else runs on its session. */
  heartbeatMs: number;
  /** A lock query that does not answer within this is taken as a lost lock (client side). */
  queryTimeoutMs: number;
  /** Before a batch, a proof older than this is renewed (a holder that paused must re-check). */
  freshMs: number;
  /** How often a standby tries the lock. */
  standbyRetryMs: number;
  /** Connecting the lock session may take this long. */
  connectTimeoutMs: number;
}

/** Smallest takeover bound: below it the heartbeat would be a few hundred ms and flap on a busy machine. */
export const MIN_TAKEOVER_MS = 2000;

export function relayTiming(takeoverMs: number, standbyRetryMs = 2000): RelayTiming {
  if (!Number.isFinite(takeoverMs) || takeoverMs < MIN_TAKEOVER_MS)
    throw new RangeError(`takeoverMs must be at least ${MIN_TAKEOVER_MS}, got ${takeoverMs}`);
  const idle = Math.floor(takeoverMs * 0.6);
  const seconds = (ms: number) => Math.max(1, Math.floor(ms / 1000));
  return {
    takeoverMs,
    idleSessionTimeoutMs: idle,
    tcpUserTimeoutMs: idle,
    // Idle probe after I/3, then 3 probes I/9 apart: a silent peer is dropped after about 2I/3.
    keepalive: { idleS: seconds(idle / 3), intervalS: seconds(idle / 9), count: 3 },
    heartbeatMs: Math.floor(idle / 4),
    queryTimeoutMs: Math.floor(idle / 2),
    freshMs: Math.floor(idle / 2),
    standbyRetryMs: Math.max(50, Math.min(standbyRetryMs, Math.floor(takeoverMs * 0.2))),
    connectTimeoutMs: Math.max(200, Math.min(5000, Math.floor(takeoverMs * 0.15))),
  };
}
