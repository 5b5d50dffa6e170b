// The memory API through the official SDK on the PostgreSQL agent memory store (tsvector search),
// in a schema of its own that is dropped afterwards.
import { afterAll } from 'vitest';
import { createPostgresAgentMemoryStore } from '../../src/memory/postgres-agent-memory.js';
import { describeMemoryStoreApi } from '../conformance/memory-store-api-suite.js';
import { dropSchema, testPostgresUrl, uniqueSchema } from '../support/postgres.js';

const schema = uniqueSchema('memory_api');
afterAll(async () => dropSchema(schema));

describeMemoryStoreApi({ name: 'postgres', create: async () => createPostgresAgentMemoryStore({ url: testPostgresUrl, schema }) });
