// Runs the session store conformance suite on the in-memory reference store.
import { createMemoryStore } from '../../src/store/memory-store.js';
import { describeSessionStoreConformance } from '../conformance/session-store-suite.js';

describeSessionStoreConformance({
  name: 'memory',
  create: async () => createMemoryStore(),
  destroy: (store) => store.close(),
  capabilities: { crossProcess: false },
});
