import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import type { SqlDialectName } from './databaseUrl.js';
import { SqlMigrationError } from './errors.js';
import { TABLES } from './schema.js';

type AnyDb = Kysely<unknown>;

/**
 * The schema's versions, oldest first. Names sort in order and never change once released; a
 * change to the schema is a new entry, never an edit of an old one.
 */
export function migrations(dialect: SqlDialectName): Record<string, Migration> {
  // Keys and ids compare byte by byte (JavaScript's order for the ASCII the Store allows), whatever
  // the database's default collation; MySQL tables are InnoDB in utf8mb4. MySQL's binary collations
  // pad with spaces ('a' = 'a '), so keys and ids use a NO PAD one where the server has one.
  let mysqlKeyCollation = 'utf8mb4_bin';
  const id = (length: number) =>
    dialect === 'postgres'
      ? sql`varchar(${sql.raw(String(length))}) collate "C"`
      : sql`varchar(${sql.raw(String(length))}) collate ${sql.raw(mysqlKeyCollation)}`;
  const text = dialect === 'postgres' ? sql`text` : sql`longtext`;
  const float = dialect === 'postgres' ? sql`double precision` : sql`double`;
  const tableEnd =
    dialect === 'postgres' ? sql`` : sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`;

  return {
    '0001_initial': {
      async up(db: AnyDb) {
        if (dialect === 'mysql') mysqlKeyCollation = await noPadBinaryCollation(db);
        await db.schema
          .createTable(TABLES.kv)
          .addColumn('key', id(512), (c) => c.primaryKey())
          .addColumn('value', text)
          .addColumn('blob_ref', 'varchar(512)')
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .modifyEnd(tableEnd)
          .execute();
        await db.schema
          .createTable(TABLES.runs)
          .addColumn('id', id(255), (c) => c.primaryKey())
          .addColumn('goal', text, (c) => c.notNull())
          .addColumn('workflow', 'varchar(255)')
          .addColumn('status', 'varchar(16)', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addColumn('progress', float, (c) => c.notNull().defaultTo(0))
          .addColumn('cost_usd', float, (c) => c.notNull().defaultTo(0))
          .addColumn('tokens_in', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('tokens_out', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('error', text)
          .addColumn('last_seq', 'bigint', (c) => c.notNull().defaultTo(0))
          .modifyEnd(tableEnd)
          .execute();
        // listRuns walks these newest first: (status, created_at, id) with a status filter, else (created_at, id).
        await db.schema
          .createIndex(`${TABLES.runs}_status_created`)
          .on(TABLES.runs)
          .columns(['status', 'created_at', 'id'])
          .execute();
        await db.schema
          .createIndex(`${TABLES.runs}_created`)
          .on(TABLES.runs)
          .columns(['created_at', 'id'])
          .execute();
        await db.schema
          .createTable(TABLES.events)
          .addColumn('run_id', id(255), (c) => c.notNull())
          .addColumn('seq', 'bigint', (c) => c.notNull())
          .addColumn('event', text)
          .addColumn('blob_ref', 'varchar(512)')
          .addPrimaryKeyConstraint(`${TABLES.events}_pk`, ['run_id', 'seq'])
          .modifyEnd(tableEnd)
          .execute();
        await db.schema
          .createTable(TABLES.snapshots)
          .addColumn('run_id', id(255), (c) => c.primaryKey())
          .addColumn('snapshot', text)
          .addColumn('blob_ref', 'varchar(512)')
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .modifyEnd(tableEnd)
          .execute();
      },
      async down(db: AnyDb) {
        for (const table of [TABLES.snapshots, TABLES.events, TABLES.runs, TABLES.kv]) {
          await db.schema.dropTable(table).ifExists().execute();
        }
      },
    },
  };
}

/** `utf8mb4_0900_bin` (MySQL 8) or `utf8mb4_nopad_bin` (MariaDB), else `utf8mb4_bin`. */
async function noPadBinaryCollation(db: AnyDb): Promise<string> {
  const { rows } = await sql<{ name: string }>`
    select collation_name as name from information_schema.collations
    where collation_name in ('utf8mb4_0900_bin', 'utf8mb4_nopad_bin')`.execute(db);
  return rows[0]?.name ?? 'utf8mb4_bin';
}

/**
 * Brings the schema to the latest version, in the `troupe_migrations` table. Safe from several
 * processes at once: Kysely's migrator takes a database lock (an advisory lock on PostgreSQL,
 * `GET_LOCK` on MySQL) and skips what is already applied.
 */
export async function migrateToLatest(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations(dialect) },
    migrationTableName: TABLES.migrations,
    migrationLockTableName: TABLES.migrationLock,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message : String(error);
    throw new SqlMigrationError(`database migration ${failed ?? '(setup)'} failed: ${reason}`, {
      cause: error,
      data: { migration: failed },
    });
  }
}
