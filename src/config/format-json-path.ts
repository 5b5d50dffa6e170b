/**
 * JSON paths as users read them in error messages: `agents[1].model`, `options.rounds`. The same
 * spelling is used in `ErrorLocation.path`, so a message and its location always agree.
 */

/** A path into a document: object keys and list indexes, outermost first. */
export type JsonPath = ReadonlyArray<string | number>;

const plainKey = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * Spells a path the way a JavaScript reader would, quoting keys that are not plain words.
 * The empty path (the document itself) is the empty string.
 *
 * @example
 * formatJsonPath(['agents', 1, 'model'])  // → 'agents[1].model'
 * formatJsonPath(['options', 'rounds'])   // → 'options.rounds'
 * formatJsonPath(['options', 'my key'])   // → 'options["my key"]'
 */
export function formatJsonPath(path: JsonPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (plainKey.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}
