/**
 * The file store contract: uploaded files (the Files API) and the session resources that mount them
 * into a session's sandbox workspace. Files belong to a workspace, and a lookup of another
 * workspace's file behaves exactly as if it did not exist. Content is kept whole and durably, next
 * to the metadata; a session resource names a file and where it appears in the workspace, and is
 * kept apart from the file so that deleting a file a session still mounts is allowed (the session's
 * next tool call then reports it). Types only; the memory, SQLite and PostgreSQL stores in
 * `src/store/` implement it.
 */

/** An uploaded file's metadata as stored. */
export interface FileRecord {
  /** `file_…`. */
  id: string;
  workspace: string;
  /** The file's name without any directory part. */
  filename: string;
  /** As the upload declared it (`application/octet-stream` when it declared none). */
  mimeType: string;
  sizeBytes: number;
  createdAt: string;
}

/** What `createFile` needs; the caller makes the id and sanitises the name. */
export interface NewFile {
  id: string;
  workspace: string;
  filename: string;
  mimeType: string;
  content: Uint8Array;
  /** Default: now. */
  createdAt?: string;
}

/** A session resource of type `file`: a file mounted into the session's workspace. */
export interface SessionFileResource {
  /** `sesrsc_…`. */
  id: string;
  workspace: string;
  sessionId: string;
  type: 'file';
  fileId: string;
  /** Where the file appears in the sandbox: an absolute path under an allowed mount root. */
  mountPath: string;
  createdAt: string;
  updatedAt: string;
}

/** What `addSessionResource` needs; the caller makes the id and checks the mount path. */
export interface NewSessionFileResource {
  id: string;
  workspace: string;
  sessionId: string;
  fileId: string;
  mountPath: string;
  /** Default: now. */
  createdAt?: string;
}

export interface ListFilesOptions {
  /** Page size, at least 1. Default 20. */
  limit?: number;
  /** `nextCursor` of the previous page; opaque. */
  cursor?: string;
}

/** One page of files, newest first; `nextCursor` is null on the last page. */
export interface FilePage {
  items: FileRecord[];
  nextCursor: string | null;
}

/**
 * Files and session resources. Failures are `ConclaveError`s: `store_conflict` for a taken id,
 * `invalid_argument` for a bad cursor, `store_error` for the storage itself.
 */
export interface FileStore {
  readonly specificationVersion: 'v1';
  /** `memory`, `sqlite`, `postgres`. */
  readonly kind: string;

  /** Stores a file's metadata and content together; the file is visible only once both are stored. */
  createFile(file: NewFile): Promise<FileRecord>;
  getFile(workspace: string, id: string): Promise<FileRecord | undefined>;
  /** The file's bytes; undefined for an unknown file (or another workspace's). */
  readFileContent(workspace: string, id: string): Promise<Uint8Array | undefined>;
  /** Files of the workspace, newest first (createdAt desc, then id desc). */
  listFiles(workspace: string, options?: ListFilesOptions): Promise<FilePage>;
  /** Removes the file and its content; false when there was nothing to delete. Resources naming it stay. */
  deleteFile(workspace: string, id: string): Promise<boolean>;

  /** Stores a session resource; fails with `store_conflict` if the id is taken. */
  addSessionResource(resource: NewSessionFileResource): Promise<SessionFileResource>;
  getSessionResource(workspace: string, sessionId: string, id: string): Promise<SessionFileResource | undefined>;
  /** The session's resources, oldest first (the order they were added). */
  listSessionResources(sessionId: string): Promise<SessionFileResource[]>;
  /** False when there was nothing to delete. */
  deleteSessionResource(workspace: string, sessionId: string, id: string): Promise<boolean>;

  close(): Promise<void>;
}
