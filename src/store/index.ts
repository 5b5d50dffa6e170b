/**
 * Session stores: the in-memory reference, the embedded SQLite default, PostgreSQL for scale-out, and the one function that
 * picks between them from `--db` / `CONCLAVE_DB`.
 */
export { createMemoryStore } from './memory-store.js';
export { createSqliteStore, sqliteSchemaVersion, type SqliteSessionStore, type SqliteStoreOptions } from './sqlite-store.js';
export {
  defaultDatabasePath,
  isPostgresLocation,
  memoryDatabase,
  openStore,
  prepareStore,
  preparedPostgresDriver,
  preparedSqliteDriver,
  provideStoreDrivers,
  resolveDatabasePath,
  type OpenStoreOptions,
  type PostgresStoreDriver,
  type SqliteStoreDriver,
} from './open-store.js';
export {
  applyEventsToSummary,
  applySummaryChange,
  createSessionSummary,
  deriveSessionTitle,
  maximumDerivedTitleLength,
  summarizeChange,
  summarizeEvents,
  type SummaryChange,
  type SummaryEvent,
} from './session-summary.js';
export { createMemoryResourceStore } from './memory-resource-store.js';
export { createSqliteResourceStore, type SqliteResourceStore, type SqliteResourceStoreOptions } from './sqlite-resource-store.js';
export { openResourceStore } from './open-resource-store.js';
export { createMemoryFileStore } from './memory-file-store.js';
export { createSqliteFileStore, type SqliteFileStoreOptions } from './sqlite-file-store.js';
export { createPostgresFileStore, type PostgresFileStoreOptions } from './postgres/pg-file-store.js';
export { openFileStore } from './open-file-store.js';
export { createPostgresPool, isPostgresUrl, parsePostgresUrl, defaultPostgresSchema, type PostgresTarget } from './postgres/pg-connection.js';
export { createPostgresStore, type PostgresSessionStore, type PostgresStoreOptions } from './postgres/pg-session-store.js';
export { createPostgresResourceStore, type PostgresResourceStore, type PostgresResourceStoreOptions } from './postgres/pg-resource-store.js';
export { migratePostgres, postgresMigrations, postgresSchemaVersion, postgresVersion, type MigrationReport } from './postgres/pg-migrations.js';

// Whoever imports this index has loaded every store already (they are exported above), so here
// `openStore` works on any location without `prepareStore`, as it always has. The CLI imports
// open-store.ts directly and prepares instead, so that it loads only the driver it needs.
import { provideStoreDrivers } from './open-store.js';
import { createSqliteStore as sqliteSessions } from './sqlite-store.js';
import { createSqliteResourceStore as sqliteResources } from './sqlite-resource-store.js';
import { createPostgresStore as postgresSessions } from './postgres/pg-session-store.js';
import { createPostgresResourceStore as postgresResources } from './postgres/pg-resource-store.js';

provideStoreDrivers({
  sqlite: { createSqliteStore: sqliteSessions, createSqliteResourceStore: sqliteResources },
  postgres: { createPostgresStore: postgresSessions, createPostgresResourceStore: postgresResources },
});
