export { ConfigError, loadConfig } from './load-config.ts';
export * from './schemas.ts';
export { type HttpSecurityConfig, httpSecurityEnvShape, toHttpSecurityConfig } from './security-env.ts';
