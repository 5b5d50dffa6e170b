// Runs a parse that must fail and returns the thrown ConclaveError, so tests can assert on its
// code, location and issues.
import { expect } from 'vitest';
import { isConclaveError, type ConclaveError } from '../../src/protocol/index.js';

export function expectDocumentError(run: () => unknown): ConclaveError {
  try {
    run();
  } catch (error) {
    expect(isConclaveError(error)).toBe(true);
    return error as ConclaveError;
  }
  throw new Error('expected the document to be rejected');
}
