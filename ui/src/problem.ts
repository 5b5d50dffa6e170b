/**
 * A problem the server (or the as-you-type YAML check) reports, with where it is in a document:
 * the shape views render next to the editor. DOM-free, shared by the API client and the checks.
 */

/** Where in a document a problem is (from the error envelope's `details.location`). */
export interface ProblemLocation {
  file?: string;
  line?: number;
  column?: number;
  path?: string;
}

/** One problem: the top-level error or one of its `issues`. */
export interface Problem {
  message: string;
  hint?: string;
  location?: ProblemLocation;
}
