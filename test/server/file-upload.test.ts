// What an upload's name and type become before they are stored.
import { describe, expect, it } from 'vitest';
import { defaultServerPolicy } from '../../src/policy/server-policy.js';
import { fileTooLarge, fileUploadLimit, normalizeMimeType, sanitizeFilename } from '../../src/server/managed/file-upload.js';

describe('file uploads', () => {
  it('keeps only the last path component of a name, without control characters', () => {
    expect(sanitizeFilename('../../etc/passwd', 'text/plain')).toBe('passwd');
    expect(sanitizeFilename('C:\\Users\\ada\\notes.md', 'text/markdown')).toBe('notes.md');
    expect(sanitizeFilename('a\u0000b\nc.txt', 'text/plain')).toBe('abc.txt');
    expect(sanitizeFilename('', 'text/csv')).toBe('unnamed.csv');
    expect(sanitizeFilename('dir/..', 'application/x-unknown')).toBe('unnamed');
  });

  it('records a plain MIME type and falls back to application/octet-stream', () => {
    expect(normalizeMimeType('Text/CSV; charset=utf-8')).toBe('text/csv; charset=utf-8');
    expect(normalizeMimeType('')).toBe('application/octet-stream');
    expect(normalizeMimeType('text/plain\r\nx-evil: 1')).toBe('application/octet-stream');
  });

  it('limits uploads to 32 MiB unless the policy says otherwise, and names the limit', () => {
    expect(fileUploadLimit(defaultServerPolicy())).toBe(32 * 1024 * 1024);
    expect(fileTooLarge(32 * 1024 * 1024, 40 * 1024 * 1024).message).toBe('the file is 40 MiB, more than the upload limit of 32 MiB (limits.file_bytes)');
  });
});
