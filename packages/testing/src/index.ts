export { BlackholeProxy } from './black-hole-proxy.ts';
export {
  createTestDatabase,
  createTestTopic,
  testDatabaseAdminUrl,
  testKafkaBrokers,
  uniqueName,
  type WaitForOptions,
  waitFor,
} from './fixtures.ts';
