export * from './audit.ts';
export * from './codec.ts';
export * from './data-ownership.ts';
export * from './events.ts';
export * from './http.ts';
export * from './idempotency.ts';
export * from './limits.ts';
export * from './names.ts';
