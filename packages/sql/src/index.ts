export type { SqlDialectName } from './databaseUrl.js';
export { parseDatabaseUrl } from './databaseUrl.js';
export {
  RunExistsError,
  RunNotFoundError,
  SqlConnectionError,
  SqlErrorCode,
  SqlMigrationError,
  SqlUrlError,
} from './errors.js';
export type { FileBlobStoreOptions } from './FileBlobStore.js';
export { FileBlobStore } from './FileBlobStore.js';
export type { SqlStoreOptions } from './SqlStore.js';
export { createSqlStore, DEFAULT_BLOB_THRESHOLD_BYTES, SqlStore } from './SqlStore.js';
