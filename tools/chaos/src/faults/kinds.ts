/** Every fault the nemesis knows, by the part of the system it hits. */
export const FAULT_KINDS = [
  // processes
  'sigkill',
  'sigterm',
  'pause',
  'rebalance',
  'rolling-upgrade',
  // PostgreSQL
  'pg-restart',
  'lock-hold',
  'slow-statements',
  'deadlock',
  // Kafka
  'broker-kill',
  'broker-pause',
  // the network between one instance and Kafka or Postgres (toxiproxy)
  'net-latency',
  'net-cut',
  'net-partition',
  'net-reset',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];
