// The settings of web_fetch and web_search: the search backend (driver option or
// CONCLAVE_SEARXNG_URL) and the domain rules, checked without running anything.
import { describe, expect, it } from 'vitest';
import { refuseUrl, resolveWebToolOptions } from '../../src/sandbox/web-tool-options.js';

describe('web tool options', () => {
  it('takes the backend from the options, else from CONCLAVE_SEARXNG_URL, else none', () => {
    expect(resolveWebToolOptions({ searxngUrl: 'https://searx.example/' }, { CONCLAVE_SEARXNG_URL: 'http://other/' }).searxngUrl?.href).toBe('https://searx.example/');
    expect(resolveWebToolOptions({}, { CONCLAVE_SEARXNG_URL: ' http://127.0.0.1:8888 ' }).searxngUrl?.href).toBe('http://127.0.0.1:8888/');
    expect(resolveWebToolOptions({}, { CONCLAVE_SEARXNG_URL: '' }).searxngUrl).toBeUndefined();
    expect(() => resolveWebToolOptions({}, { CONCLAVE_SEARXNG_URL: 'not a url' })).toThrow(/is not a URL/);
  });

  it('refuses URLs by scheme, credentials and domain rules, blocked before allowed', () => {
    const options = resolveWebToolOptions({ allowedDomains: ['Example.com', '*.docs.test'], blockedDomains: ['secret.example.com'] }, {});
    expect(refuseUrl('https://example.com/a', options)).toBeUndefined();
    expect(refuseUrl('https://www.EXAMPLE.com./a', options)).toBeUndefined();
    expect(refuseUrl('https://api.docs.test/', options)).toBeUndefined();
    expect(refuseUrl('https://notexample.com/', options)).toBe('Error: notexample.com is not among the domains this session may fetch (example.com, docs.test); web_fetch did not fetch it');
    expect(refuseUrl('https://x.secret.example.com/', options)).toBe('Error: x.secret.example.com is blocked for this session (blocked domain secret.example.com); web_fetch did not fetch it');
    expect(refuseUrl('ftp://example.com/', options)).toBe('Error: web_fetch only fetches http and https URLs, not ftp:');
    expect(refuseUrl('https://[::1]:8080/', resolveWebToolOptions({ blockedDomains: ['[0:0::1]'] }, {}))).toBe('Error: ::1 is blocked for this session (blocked domain ::1); web_fetch did not fetch it');
    expect(refuseUrl('https://example.com/', resolveWebToolOptions({ allowedDomains: [] }, {}))).toBe('Error: example.com is not among the domains this session may fetch (none); web_fetch did not fetch it');
  });
});
