/**
 * The engine benchmark's SQL-level rows: the floor every per-step figure is measured against (one
 * small event inserted in its own transaction), and what a step's journal write costs in plain SQL,
 * as the store lays it out and in the cheapest layout a store could choose. No conclave code runs
 * in them but event ids.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createId } from '../../src/protocol/index.js';
import { inTempDirectory, instant, median, peakRssMb, type ScenarioResult } from './bench-support.js';

/** The floor's table, statement and row: one small event in a table keyed by session and seq. */
const floorSchema = 'CREATE TABLE events (session_id TEXT, seq INTEGER, type TEXT, data TEXT, PRIMARY KEY (session_id, seq))';
const floorInsert = 'INSERT INTO events VALUES (?, ?, ?, ?)';
const floorRow = { type: 'command.completed', data: '{"commandId":"pipeline/pass:1/stage:0/generate:0","text":"hello"}' };

/**
 * A plain better-sqlite3 database at `path`, set as conclave's store sets its file (WAL,
 * `synchronous = NORMAL`), with `schema` run on it.
 *
 * @example
 * const db = openPlainDatabase(join(directory, 'floor.db'), floorSchema);
 */
function openPlainDatabase(path: string, schema: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(schema);
  return db;
}

/**
 * One step's journal write at the SQL level, with no store around it, two ways, taking turns in one
 * process: the three events (`command.completed`, `agent.message`, the next `command.started`, as
 * large as the kernel writes them) as three rows of the events table, as the store writes them, and
 * as a single row holding all three (a table keyed by each batch's first seq) — the cheapest layout
 * a store could give a step's commit. The headline is the single row; the notes give three rows and
 * a one-row transaction of the floor's kind measured in the same process.
 *
 * @example
 * const { value, notes } = await stepRows(); // 37.05 µs, notes['one row ×'] 1.37
 */
export async function stepRows(): Promise<ScenarioResult> {
  return inTempDirectory(async (directory) => {
    const open = (name: string, schema: string): Database.Database => openPlainDatabase(join(directory, name), schema);
    const sessionId = createId('session');
    const commandId = 'pipeline/pass:1/stage:0/generate:0';
    const step = { topology: 'pipeline', agent: 's0', phase: 'stage', round: 1 };
    const messages = [{ role: 'user', content: 'task 0' }];
    const events = [
      { type: 'command.completed', data: { commandId, kind: 'model.generate', attempt: 1, output: { text: 'task 0', finishReason: 'stop' }, model: instant, agent: 's0', usage: { inputTokens: 2, outputTokens: 2 }, cost: { usd: 0, simulated: true }, latencyMs: 1.52, simulated: true, timeToFirstTokenMs: 1.36 } },
      { type: 'agent.message', data: { commandId, agent: 's0', text: 'task 0', step } },
      { type: 'command.started', data: { commandId, kind: 'model.generate', attempt: 1, input: { agent: 's0', model: instant, messages, seed: 1736040779 }, step } },
    ].map((event) => ({ id: createId('event'), type: event.type, text: JSON.stringify(event.data) }));

    const small = open('small.db', floorSchema);
    const insertSmall = small.prepare(floorInsert);
    let smallSeq = 0;
    const oneSmallRow = small.transaction(() => insertSmall.run('s', (smallSeq += 1), floorRow.type, floorRow.data));

    // The store's events table as src/store/sqlite-database.ts creates it (its first migration).
    const rows = open('rows.db', 'CREATE TABLE events (session_id TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, at TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (session_id, seq))');
    const insertRow = rows.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)');
    let rowSeq = 0;
    const threeRows = rows.transaction(() => {
      for (const event of events) insertRow.run(sessionId, (rowSeq += 1), event.id, event.type, new Date().toISOString(), event.text);
    });

    const batches = open('batches.db', 'CREATE TABLE batches (session_id TEXT NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL, events TEXT NOT NULL, PRIMARY KEY (session_id, first_seq))');
    const insertBatch = batches.prepare('INSERT INTO batches VALUES (?, ?, ?, ?)');
    let batchSeq = 0;
    const oneRow = batches.transaction(() => {
      const text = `[${events.map((event) => `{"id":"${event.id}","type":"${event.type}","at":"${new Date().toISOString()}","data":${event.text}}`).join(',')}]`;
      insertBatch.run(sessionId, batchSeq + 1, batchSeq + events.length, text);
      batchSeq += events.length;
    });

    const kinds = [oneSmallRow, threeRows, oneRow];
    const timings: number[][] = [[], [], []];
    const block = 5_000;
    for (const write of kinds) for (let warm = 0; warm < 3_000; warm += 1) write();
    for (let round = 0; round < 7; round += 1) {
      kinds.forEach((write, kind) => {
        const started = process.hrtime.bigint();
        for (let index = 0; index < block; index += 1) write();
        timings[kind]?.push(Number(process.hrtime.bigint() - started) / 1000 / block);
      });
    }
    for (const db of [small, rows, batches]) db.close();
    const [smallUs, threeUs, oneUs] = timings.map((values) => Math.round(median(values) * 100) / 100) as [number, number, number];
    return {
      name: "a step's events as one SQL row",
      value: oneUs,
      unit: 'µs',
      notes: { 'as three rows µs': threeUs, 'one-row txn of the floor in this process µs': smallUs, 'one row ×': Math.round((oneUs / smallUs) * 100) / 100, 'three rows ×': Math.round((threeUs / smallUs) * 100) / 100, 'bytes of data': events.reduce((sum, event) => sum + event.text.length, 0) },
      peakRssMb: peakRssMb(),
    };
  });
}

/**
 * The floor: a bare better-sqlite3 insert of one small event row in its own transaction (WAL,
 * `synchronous = NORMAL`), 50,000 in a row after 5,000 unmeasured.
 *
 * @example
 * const floor = await bareSqlite(); // { name: 'bare SQLite append', value: 22.85, unit: 'µs', … }
 */
export async function bareSqlite(): Promise<ScenarioResult> {
  return inTempDirectory(async (directory) => {
    const db = openPlainDatabase(join(directory, 'floor.db'), floorSchema);
    const insert = db.prepare(floorInsert);
    const append = db.transaction((seq: number) => insert.run('s', seq, floorRow.type, floorRow.data));
    const count = 50_000;
    for (let seq = 1; seq <= 5_000; seq += 1) append(seq);
    const started = process.hrtime.bigint();
    for (let seq = 5_001; seq <= 5_000 + count; seq += 1) append(seq);
    const us = Number(process.hrtime.bigint() - started) / 1000 / count;
    db.close();
    return { name: 'bare SQLite append', value: Math.round(us * 100) / 100, unit: 'µs', notes: { appends: count }, peakRssMb: peakRssMb() };
  });
}

