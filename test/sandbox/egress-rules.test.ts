// What a limited sandbox's egress proxy lets through: host matching (exact, wildcard, port, block
// list) and the refusal of private and local addresses unless the allow-list names the host exactly.
import { describe, expect, it } from 'vitest';
import { checkEgressAddresses, checkEgressTarget, domainEntries, isNonPublicAddress, type EgressRules } from '../../src/sandbox/index.js';

const rules: EgressRules = { allowedHosts: ['api.example.com', '*.docs.example.org', '10.0.0.5:8080', 'localhost', '[::1]:9000'], blockedHosts: ['secret.docs.example.org'] };

describe('checkEgressTarget', () => {
  it('allows exact hosts on any port, and ports when an entry names one', () => {
    expect(checkEgressTarget('api.example.com', 443, rules)).toEqual({ allowed: true });
    expect(checkEgressTarget('API.example.com', 80, rules)).toEqual({ allowed: true });
    expect(checkEgressTarget('10.0.0.5', 8080, rules)).toEqual({ allowed: true });
    expect(checkEgressTarget('10.0.0.5', 8081, rules)).toMatchObject({ allowed: false, reason: "10.0.0.5:8081 is not on this sandbox's allowed hosts (api.example.com, *.docs.example.org, 10.0.0.5:8080, localhost, [::1]:9000)" });
    expect(checkEgressTarget('[::1]', 9000, rules)).toEqual({ allowed: true });
    expect(checkEgressTarget('::1', 9000, rules)).toEqual({ allowed: true });
  });

  it('matches wildcards on subdomains only, never the apex or a look-alike', () => {
    expect(checkEgressTarget('v2.docs.example.org', 443, rules)).toEqual({ allowed: true });
    expect(checkEgressTarget('docs.example.org', 443, rules).allowed).toBe(false);
    expect(checkEgressTarget('evildocs.example.org', 443, rules).allowed).toBe(false);
    expect(checkEgressTarget('api.example.com.evil.test', 443, rules).allowed).toBe(false);
  });

  it('lets the block-list win over the allow-list', () => {
    expect(checkEgressTarget('secret.docs.example.org', 443, rules)).toEqual({ allowed: false, reason: 'secret.docs.example.org:443 is blocked for this sandbox' });
  });

  it('normalizes numeric spellings through the URL parser before matching', () => {
    expect(checkEgressTarget('0x0a.0.0.5', 8080, rules)).toEqual({ allowed: true });
    expect(checkEgressTarget('2130706433', 80, rules).allowed).toBe(false);
  });

  it('refuses a port out of range', () => {
    expect(checkEgressTarget('api.example.com', 0, rules)).toMatchObject({ allowed: false, reason: 'api.example.com:0 has no valid port' });
  });
});

describe('isNonPublicAddress', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:169.254.169.254', 'not-an-address'])(
    '%s is not public',
    (address) => expect(isNonPublicAddress(address)).toBe(true),
  );

  it.each(['93.184.215.14', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (address) => expect(isNonPublicAddress(address)).toBe(false));
});

describe('web_fetch domain lists', () => {
  it('turn a domain into the domain and its subdomains; an address stays one entry', () => {
    expect(domainEntries(['Docs.Example.com.', '10.0.0.1'])).toEqual(['docs.example.com', '*.docs.example.com', '10.0.0.1']);
  });

  it('allow every host when only a block-list is given, leaving addresses to the sandbox\'s own lists', () => {
    const blockOnly: EgressRules = { allowedHosts: undefined, blockedHosts: domainEntries(['ads.example']), scope: 'web_fetch' };
    expect(checkEgressTarget('news.example', 443, blockOnly)).toEqual({ allowed: true });
    expect(checkEgressTarget('x.ads.example', 443, blockOnly)).toEqual({ allowed: false, reason: 'x.ads.example:443 is blocked for web_fetch' });
    expect(checkEgressAddresses('news.example', 443, ['10.0.0.1'], blockOnly).allowed).toBe(true);
  });
});

describe('checkEgressAddresses', () => {
  it('allows public addresses for any allowed host', () => {
    expect(checkEgressAddresses('v2.docs.example.org', 443, ['93.184.215.14'], rules)).toEqual({ allowed: true });
  });

  it('refuses a wildcard match that resolves to a private or loopback address (DNS rebinding)', () => {
    expect(checkEgressAddresses('rebind.docs.example.org', 443, ['93.184.215.14', '127.0.0.1'], rules)).toEqual({
      allowed: false,
      reason: "rebind.docs.example.org:443 resolves to 127.0.0.1, a private or local address, which is reached only when this sandbox's allowed hosts name rebind.docs.example.org exactly",
    });
    expect(checkEgressAddresses('rebind.docs.example.org', 80, ['::ffff:169.254.169.254'], rules).allowed).toBe(false);
  });

  it('allows a private address when the allow-list names the host exactly', () => {
    expect(checkEgressAddresses('api.example.com', 443, ['10.0.0.9'], rules)).toEqual({ allowed: true });
    expect(checkEgressAddresses('localhost', 3000, ['127.0.0.1'], rules)).toEqual({ allowed: true });
    expect(checkEgressAddresses('10.0.0.5', 8080, ['10.0.0.5'], rules)).toEqual({ allowed: true });
  });

  it('refuses a name that resolved to nothing', () => {
    expect(checkEgressAddresses('api.example.com', 443, [], rules)).toMatchObject({ allowed: false, reason: 'api.example.com:443 did not resolve to any address' });
  });
});
