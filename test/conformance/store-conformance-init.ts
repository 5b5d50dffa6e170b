/**
 * How a store joins a conformance suite (resource, credential and file stores alike): a name, a
 * fresh empty store, its teardown, and what it can do beyond the contract.
 */
export interface StoreConformanceInit<S> {
  name: string;
  /** A new, empty store. */
  create(): Promise<S>;
  /** Closes the store and removes its data. */
  destroy(store: S): Promise<void>;
  capabilities: {
    /** Opens a second instance on the same data as `store` (durable stores); the suite closes it. */
    reopen?: (store: S) => Promise<S>;
  };
}
