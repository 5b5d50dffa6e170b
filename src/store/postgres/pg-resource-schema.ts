/**
 * The PostgreSQL tables of the resource store (migration 2): API keys, resources and their versions,
 * mirroring the SQLite resource tables. The statements are unqualified because `migratePostgres`
 * runs them with the target schema on the search path. Timestamps are the ISO text the store writes,
 * so they come back byte for byte; bodies are JSON text (jsonb would reorder keys). Ids and times
 * use the "C" collation: listings order and page by them, and that order must be the byte order
 * every other store uses, whatever locale the database was created with.
 */

/** Creates `api_keys`, `resources` and `resource_versions` in the current schema. */
export const resourceTablesSql = `
  CREATE TABLE api_keys (
    id text COLLATE "C" PRIMARY KEY,
    workspace text NOT NULL,
    name text,
    prefix text NOT NULL,
    hash text NOT NULL UNIQUE,
    created_at text COLLATE "C" NOT NULL,
    last_used_at text,
    revoked_at text
  );
  CREATE INDEX api_keys_by_workspace ON api_keys (workspace, created_at, id);
  CREATE TABLE resources (
    kind text NOT NULL,
    id text COLLATE "C" NOT NULL,
    workspace text NOT NULL,
    version integer NOT NULL,
    created_at text COLLATE "C" NOT NULL,
    archived_at text,
    PRIMARY KEY (kind, id)
  );
  CREATE INDEX resources_by_workspace ON resources (kind, workspace, created_at DESC, id DESC);
  CREATE TABLE resource_versions (
    kind text NOT NULL,
    id text COLLATE "C" NOT NULL,
    version integer NOT NULL,
    body text NOT NULL,
    updated_at text NOT NULL,
    PRIMARY KEY (kind, id, version)
  );`;
