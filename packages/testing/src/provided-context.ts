/** Values the integration global setup hands to every test file (read them with the fixtures). */
declare module 'vitest' {
  export interface ProvidedContext {
    /** Comma-separated bootstrap servers of the run's broker, e.g. "127.0.0.1:40123". */
    kafkaBrokers: string;
    /** URL of the maintenance (`postgres`) database of the run's server; tests create their own databases. */
    databaseUrl: string;
  }
}

export {};
