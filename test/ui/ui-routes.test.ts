// The UI's static routes on their own (hono's app.request, no server): index.html for the app's
// paths, assets with their content types, a strict Content-Security-Policy on every answer, 404 for
// what is not an asset (path tricks included), and a 503 that says how to build when dist/ui is missing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import { findUiDirectory, uiContentSecurityPolicy, uiRoutes } from '../../src/server/ui-routes.js';

const root = mkdtempSync(join(tmpdir(), 'conclave-ui-routes-'));
const built = join(root, 'dist', 'ui');
mkdirSync(built, { recursive: true });
writeFileSync(join(built, 'index.html'), '<!doctype html><title>conclave</title>');
writeFileSync(join(built, 'app.js'), 'console.log(1);');
writeFileSync(join(built, 'app.css'), 'body{}');
writeFileSync(join(root, 'dist', 'secret.txt'), 'not an asset');

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** An app with the UI in front of a catch-all that stands for the API behind it. */
function appWith(directory: string | null): Hono {
  const app = new Hono();
  app.use('*', uiRoutes(directory));
  app.all('*', (c) => c.text('the API', 401));
  return app;
}

describe('uiRoutes', () => {
  const app = appWith(built);

  it.each(['/', '/ui', '/ui/', '/start', '/sessions', '/sessions/sesn_abc'])('answers %s with index.html', async (path) => {
    const response = await app.request(path);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(uiContentSecurityPolicy);
    expect(await response.text()).toContain('<title>conclave</title>');
  });

  it('serves assets with their content types and the same policy', async () => {
    const script = await app.request('/ui/app.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await script.text()).toBe('console.log(1);');
    const style = await app.request('/ui/app.css');
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(style.headers.get('content-security-policy')).toBe(uiContentSecurityPolicy);
  });

  it.each(['/v1/sessions', '/sessions/a/b', '/startx', '/metrics'])('passes %s on to the API', async (path) => {
    const response = await app.request(path);
    expect(response.status).toBe(401);
    expect(await response.text()).toBe('the API');
  });

  it('serves GET and HEAD only', async () => {
    expect((await app.request('/', { method: 'HEAD' })).status).toBe(200);
    expect((await app.request('/', { method: 'POST' })).status).toBe(401);
  });

  it.each(['/ui/missing.js', '/ui/..%2Fsecret.txt', '/ui/%2e%2e%2fsecret.txt', '/ui/.hidden.js', '/ui/a/b.js'])('refuses %s with a 404', async (path) => {
    const response = await app.request(path);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('not an asset');
  });

  it('never serves inline code: the policy allows this origin only', () => {
    expect(uiContentSecurityPolicy).toContain("default-src 'self'");
    expect(uiContentSecurityPolicy).toContain("script-src 'self'");
    expect(uiContentSecurityPolicy).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('says to run npm run build when there is no build', async () => {
    const response = await appWith(null).request('/');
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build');
    expect((await appWith(null).request('/ui/app.js')).status).toBe(503);
  });

  it('finds dist/ui from the bundled CLI, the compiled server and the sources', () => {
    const fromBundle = new URL(`file://${join(root, 'dist', 'cli', 'conclave.js')}`).href;
    const fromCompiled = new URL(`file://${join(root, 'dist', 'src', 'server', 'ui-routes.js')}`).href;
    const fromSource = new URL(`file://${join(root, 'src', 'server', 'ui-routes.ts')}`).href;
    for (const from of [fromBundle, fromCompiled, fromSource]) expect(findUiDirectory(from)).toBe(`${built}/`);
    expect(findUiDirectory(new URL(`file://${join(tmpdir(), 'nowhere', 'a', 'b.js')}`).href)).toBeUndefined();
  });
});
