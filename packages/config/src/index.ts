export { ConfigError, loadConfig } from './load-config.ts';
export * from './schemas.ts';
