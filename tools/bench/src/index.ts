// The benchmark's reusable parts (the CLI is main.ts): open-loop load, histogram, exactly-once check.
export { checkExactlyOnce, type ExactlyOnceResult, type RunFacts } from './exactly-once.ts';
export { Histogram, type Summary } from './histogram.ts';
export { LOAD_ITEMS, LOAD_SEED, type LoadSamples, type RunningLoad, startLoad } from './load-generator.ts';
export { dueCount, intendedAt, type RateSchedule, rateSchedule } from './rate-schedule.ts';
