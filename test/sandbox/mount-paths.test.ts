// Mount paths of session resources: the two mount roots, relative paths under /workspace, and every
// way out refused as text, before any file system is touched.
import { describe, expect, it } from 'vitest';
import { defaultMountPath, resolveMountPath } from '../../src/sandbox/mount-paths.js';

describe('resolveMountPath', () => {
  it('places /mnt/session and /workspace paths inside the workspace', () => {
    expect(resolveMountPath(defaultMountPath('file_1'))).toEqual({ mountPath: '/mnt/session/uploads/file_1', workspacePath: 'mnt/session/uploads/file_1' });
    expect(resolveMountPath('/workspace/data/a.csv')).toEqual({ mountPath: '/workspace/data/a.csv', workspacePath: 'data/a.csv' });
    expect(resolveMountPath('data//./a.csv')).toEqual({ mountPath: '/workspace/data/a.csv', workspacePath: 'data/a.csv' });
  });

  it.each([
    ['../etc/passwd', '".." segment'],
    ['/mnt/session/../../etc/passwd', '".." segment'],
    ['/workspace/a/../../b', '".." segment'],
    ['/etc/passwd', 'outside the allowed mount roots'],
    ['/mnt/sessionx/a', 'outside the allowed mount roots'],
    ['/workspace', 'mount root itself'],
    ['/mnt/session/', 'mount root itself'],
    ['', 'is empty'],
    ['a\u0000b', 'control character'],
    ['a\\b', 'backslash'],
  ])('refuses %j', (path, why) => {
    expect(() => resolveMountPath(path)).toThrow(why);
  });
});
