export {
  createTestDatabase,
  createTestTopic,
  testDatabaseAdminUrl,
  testKafkaBrokers,
  uniqueName,
  type WaitForOptions,
  waitFor,
} from './fixtures.ts';
