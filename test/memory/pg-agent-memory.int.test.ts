// Runs the agent memory suite on a real PostgreSQL server (tsvector full-text search), each store in
// a schema of its own that is dropped afterwards.
import { afterAll } from 'vitest';
import { createPostgresAgentMemoryStore } from '../../src/memory/postgres-agent-memory.js';
import { describeAgentMemoryConformance } from '../conformance/agent-memory-suite.js';
import { dropSchema, testPostgresUrl, uniqueSchema } from '../support/postgres.js';

const schemas = new Set<string>();

afterAll(async () => {
  for (const schema of [...schemas]) await dropSchema(schema);
});

describeAgentMemoryConformance({
  name: 'postgres',
  create: async () => {
    const schema = uniqueSchema('memory');
    schemas.add(schema);
    return createPostgresAgentMemoryStore({ url: testPostgresUrl, schema });
  },
  destroy: async (store) => {
    await store.close();
    await dropSchema(store.target.schema);
    schemas.delete(store.target.schema);
  },
  capabilities: { reopen: async (store) => createPostgresAgentMemoryStore({ url: testPostgresUrl, schema: store.target.schema }) },
});
