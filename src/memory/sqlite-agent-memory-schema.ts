/**
 * The SQLite tables of the agent memory store: stores, memories (one row per live path) and their
 * immutable versions, plus the FTS5 index over the memories' content, kept in step by triggers.
 * Created with IF NOT EXISTS beside the session tables, so the session store's `user_version` is
 * left alone.
 */

/** The DDL, run once when the store opens. */
export const sqliteAgentMemorySchema = `
  CREATE TABLE IF NOT EXISTS memory_stores (
    id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    metadata TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    archived_at TEXT
  );
  CREATE INDEX IF NOT EXISTS memory_stores_by_workspace ON memory_stores (workspace, created_at DESC, id DESC);
  CREATE INDEX IF NOT EXISTS memory_stores_by_name ON memory_stores (workspace, name);
  CREATE TABLE IF NOT EXISTS memories (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    store_id TEXT NOT NULL,
    path TEXT NOT NULL,
    content TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    version_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (store_id, path)
  );
  CREATE TABLE IF NOT EXISTS memory_versions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    store_id TEXT NOT NULL,
    memory_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    path TEXT,
    content TEXT,
    content_sha256 TEXT,
    size_bytes INTEGER,
    created_at TEXT NOT NULL,
    created_by TEXT,
    created_by_key TEXT,
    redacted_at TEXT,
    redacted_by TEXT
  );
  CREATE INDEX IF NOT EXISTS memory_versions_by_store ON memory_versions (store_id, seq DESC);
  CREATE INDEX IF NOT EXISTS memory_versions_by_memory ON memory_versions (memory_id, seq DESC);
  CREATE VIRTUAL TABLE IF NOT EXISTS memories_fts USING fts5(content, content='memories', content_rowid='seq');
  CREATE TRIGGER IF NOT EXISTS memories_fts_insert AFTER INSERT ON memories BEGIN
    INSERT INTO memories_fts (rowid, content) VALUES (new.seq, new.content);
  END;
  CREATE TRIGGER IF NOT EXISTS memories_fts_delete AFTER DELETE ON memories BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, content) VALUES ('delete', old.seq, old.content);
  END;
  CREATE TRIGGER IF NOT EXISTS memories_fts_update AFTER UPDATE OF content ON memories BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, content) VALUES ('delete', old.seq, old.content);
    INSERT INTO memories_fts (rowid, content) VALUES (new.seq, new.content);
  END;`;
