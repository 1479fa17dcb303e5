export {
  createTestDatabase,
  testDatabaseAdminUrl,
  testKafkaBrokers,
  uniqueName,
  type WaitForOptions,
  waitFor,
} from './fixtures.ts';
