import { brokerKill, brokerPause } from './broker.ts';
import { deadlock, lockHold, pgRestart, slowStatements } from './database.ts';
import type { FaultKind } from './kinds.ts';
import { netCut, netLatency, netPartition, netReset } from './network.ts';
import { pause, rebalance, rollingUpgrade, sigkill, sigterm } from './process.ts';
import type { FaultDefinition } from './types.ts';

export const FAULTS: Record<FaultKind, FaultDefinition> = {
  sigkill,
  sigterm,
  pause,
  rebalance,
  'rolling-upgrade': rollingUpgrade,
  'pg-restart': pgRestart,
  'lock-hold': lockHold,
  'slow-statements': slowStatements,
  deadlock,
  'broker-kill': brokerKill,
  'broker-pause': brokerPause,
  'net-latency': netLatency,
  'net-cut': netCut,
  'net-partition': netPartition,
  'net-reset': netReset,
};

export { FAULT_KINDS, type FaultKind } from './kinds.ts';
export type { FaultContext, FaultDefinition, FaultPlan, Injected } from './types.ts';
