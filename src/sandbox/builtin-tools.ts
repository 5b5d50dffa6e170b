/**
 * The built-in tools as a model sees them: name, description and the JSON Schema of the input. The
 * schemas are the single source of truth — inputs are validated against these very schemas (through
 * zod's `fromJSONSchema`) before a tool runs, exactly like command tools' schemas.
 */
import type { ToolDefinition } from '../protocol/index.js';

const workspaceNote =
  'Relative paths start at the workspace (/workspace), which persists between tool calls of this session; absolute paths are taken as they are inside the sandbox.';

export const bashToolDefinition: ToolDefinition = {
  name: 'bash',
  description:
    'Run a bash command in the sandbox. The working directory is the workspace (/workspace), which persists between calls; ' +
    'the rest of the file system is read-only except /tmp, which is emptied after every call, and there is no network unless the session allows it. ' +
    'stdout and stderr are returned together; a non-zero exit code is reported as an error with an [exit code N] footer. ' +
    'Processes left in the background are stopped when the command ends.',
  inputSchema: {
    type: 'object',
    properties: {
      command: { type: 'string', minLength: 1, description: 'The command, run with bash -c.' },
      timeout_ms: { type: 'integer', minimum: 1, description: "Stop the command after this many milliseconds (at most the sandbox's wall-time limit)." },
    },
    required: ['command'],
    additionalProperties: false,
  },
};

export const readFileToolDefinition: ToolDefinition = {
  name: 'read_file',
  description: `Read a text file, with line numbers (like cat -n). Reads up to 2000 lines from offset; pass offset and limit to read other parts of a long file. ${workspaceNote}`,
  inputSchema: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, description: 'The file to read.' },
      offset: { type: 'integer', minimum: 1, description: 'Number of the first line to read (1 = the first line).' },
      limit: { type: 'integer', minimum: 1, description: 'How many lines to read (default 2000).' },
    },
    required: ['path'],
    additionalProperties: false,
  },
};

export const writeFileToolDefinition: ToolDefinition = {
  name: 'write_file',
  description: `Write a file, replacing it if it exists and creating missing parent directories. ${workspaceNote}`,
  inputSchema: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, description: 'The file to write.' },
      content: { type: 'string', description: 'The complete new content of the file.' },
    },
    required: ['path', 'content'],
    additionalProperties: false,
  },
};

export const editFileToolDefinition: ToolDefinition = {
  name: 'edit_file',
  description:
    'Replace an exact piece of text in a file. old_string must match the file exactly, whitespace included, and occur once — ' +
    `include more surrounding lines to make it unique, or set replace_all to replace every occurrence. ${workspaceNote}`,
  inputSchema: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, description: 'The file to edit.' },
      old_string: { type: 'string', minLength: 1, description: 'The exact text to replace.' },
      new_string: { type: 'string', description: 'The text to put in its place.' },
      replace_all: { type: 'boolean', description: 'Replace every occurrence instead of exactly one (default false).' },
    },
    required: ['path', 'old_string', 'new_string'],
    additionalProperties: false,
  },
};

export const listFilesToolDefinition: ToolDefinition = {
  name: 'list_files',
  description:
    'List files and directories matching a glob pattern, like `src/**/*.ts` (** matches any number of directories; {a,b} alternatives work; ' +
    `hidden files only match when the pattern names them). Directories end with /. ${workspaceNote}`,
  inputSchema: {
    type: 'object',
    properties: {
      pattern: { type: 'string', minLength: 1, description: 'The glob pattern, relative to path.' },
      path: { type: 'string', minLength: 1, description: 'Directory to match in (default: the workspace).' },
    },
    required: ['pattern'],
    additionalProperties: false,
  },
};

export const grepToolDefinition: ToolDefinition = {
  name: 'grep',
  description:
    'Search file contents for a regular expression (POSIX extended, as grep -E) and print the matching lines as path:line:text. ' +
    `Searches path recursively (default: the workspace), skipping binary files and .git; glob narrows the files (\`*.ts\` matches at any depth, \`src/**/*.ts\` under src). ${workspaceNote}`,
  inputSchema: {
    type: 'object',
    properties: {
      pattern: { type: 'string', minLength: 1, description: 'The regular expression.' },
      path: { type: 'string', minLength: 1, description: 'File or directory to search (default: the workspace).' },
      glob: { type: 'string', minLength: 1, description: 'Only search files matching this glob pattern, relative to path.' },
    },
    required: ['pattern'],
    additionalProperties: false,
  },
};

const webNote =
  'The request is made from inside the sandbox, under the same network rules as every other tool: there is no network unless the session allows it.';

export const webFetchToolDefinition: ToolDefinition = {
  name: 'web_fetch',
  description:
    'Fetch an http or https URL and return the status line, the content type and the content; HTML comes back as readable text, with the URLs of links in parentheses. ' +
    'Redirects are not followed: a 3xx answer reports its Location, which you can fetch with another call. ' +
    `Content past max_bytes (default ${100 * 1024}) is cut with a marker saying so. ${webNote}`,
  inputSchema: {
    type: 'object',
    properties: {
      url: { type: 'string', minLength: 1, description: 'The http:// or https:// URL to fetch.' },
      max_bytes: { type: 'integer', minimum: 1, description: "Most bytes of content to read (default 102400; at most the sandbox's output limit)." },
    },
    required: ['url'],
    additionalProperties: false,
  },
};

export const webSearchToolDefinition: ToolDefinition = {
  name: 'web_search',
  description: `Search the web through the search engine this server's operator configured, and return the results as numbered title, URL and snippet entries; read a result with web_fetch. ${webNote}`,
  inputSchema: {
    type: 'object',
    properties: {
      query: { type: 'string', minLength: 1, description: 'The search query.' },
      max_results: { type: 'integer', minimum: 1, maximum: 20, description: 'How many results to return (default 5, at most 20).' },
    },
    required: ['query'],
    additionalProperties: false,
  },
};

/** Every built-in tool, in the order a model should see them. */
export const builtinToolDefinitions: readonly ToolDefinition[] = [
  bashToolDefinition,
  readFileToolDefinition,
  writeFileToolDefinition,
  editFileToolDefinition,
  listFilesToolDefinition,
  grepToolDefinition,
  webFetchToolDefinition,
  webSearchToolDefinition,
];
