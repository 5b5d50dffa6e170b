/**
 * The PostgreSQL tables of the agent memory store, in the session store's schema: stores, memories
 * and their immutable versions, with a generated `tsvector` column and its GIN index for full-text
 * search. Created with IF NOT EXISTS beside the session tables.
 */

/**
 * The DDL for `schema`, run once when the store opens.
 *
 * @example
 * await pool.query(postgresAgentMemoryTables('public'));
 */
export function postgresAgentMemoryTables(schema: string): string {
  return `
  CREATE TABLE IF NOT EXISTS ${schema}.memory_stores (
    id text COLLATE "C" PRIMARY KEY,
    workspace text NOT NULL,
    name text NOT NULL,
    description text NOT NULL,
    metadata text NOT NULL,
    created_at text COLLATE "C" NOT NULL,
    updated_at text NOT NULL,
    archived_at text
  );
  CREATE INDEX IF NOT EXISTS memory_stores_by_workspace ON ${schema}.memory_stores (workspace, created_at DESC, id DESC);
  CREATE INDEX IF NOT EXISTS memory_stores_by_name ON ${schema}.memory_stores (workspace, name);
  CREATE TABLE IF NOT EXISTS ${schema}.memories (
    id text COLLATE "C" PRIMARY KEY,
    store_id text NOT NULL,
    path text COLLATE "C" NOT NULL,
    content text NOT NULL,
    content_sha256 text NOT NULL,
    size_bytes integer NOT NULL,
    version_id text NOT NULL,
    created_at text NOT NULL,
    updated_at text NOT NULL,
    content_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', content)) STORED,
    UNIQUE (store_id, path)
  );
  CREATE INDEX IF NOT EXISTS memories_fts ON ${schema}.memories USING gin (content_tsv);
  CREATE TABLE IF NOT EXISTS ${schema}.memory_versions (
    seq bigserial PRIMARY KEY,
    id text COLLATE "C" NOT NULL UNIQUE,
    store_id text NOT NULL,
    memory_id text NOT NULL,
    operation text NOT NULL,
    path text,
    content text,
    content_sha256 text,
    size_bytes integer,
    created_at text COLLATE "C" NOT NULL,
    created_by text,
    created_by_key text,
    redacted_at text,
    redacted_by text
  );
  CREATE INDEX IF NOT EXISTS memory_versions_by_store ON ${schema}.memory_versions (store_id, seq DESC);
  CREATE INDEX IF NOT EXISTS memory_versions_by_memory ON ${schema}.memory_versions (memory_id, seq DESC);`;
}
