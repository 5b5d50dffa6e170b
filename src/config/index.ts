/**
 * Topology documents: loading YAML/JSON, validating against the registry with errors that carry
 * file, line and JSON path, normalising (aliases, defaults, option defaults), the limits on a
 * document's size, and the JSON Schema for editors.
 */
export { suggestClosest } from './did-you-mean.js';
export { topologyDocumentJsonSchema } from './document-json-schema.js';
export { type TopologyDocument } from './document-schema.js';
export { formatJsonPath, type JsonPath } from './format-json-path.js';
export { loadTopologyDocument } from './load-topology-document.js';
export { parseTopologyDocument, type ParseDocumentContext } from './parse-topology-document.js';
export { readYamlSource, locatedProblemsError, reportedProblemLimit, sourceLocation, type YamlSource } from './yaml-source.js';
export {
  defaultDocumentLimits,
  untrustedDocumentLimits,
  resolveDocumentLimits,
  documentTooLargeError,
  type DocumentLimits,
  type DocumentLimitName,
  type DocumentLimitOptions,
} from './document-limits.js';
export { findValueExcess, type ValueExcess } from './value-shape.js';
export { documentProblem, isPlainObject, type DocumentProblem } from './document-problem.js';
export { parseWithProblems } from './zod-problems.js';
export { checkModelReference } from './check-model-reference.js';
