/**
 * The defaults of the scale-out commands that their registration shows in `--help`, in a module of
 * their own: `server-commands.ts` reads them without importing `scale.ts` (and with it the health
 * server and the PostgreSQL migrations) until `worker`, `status` or `db migrate` actually runs.
 */

/** Default grace period of a worker's shutdown. */
export const defaultGraceMs = 30_000;
