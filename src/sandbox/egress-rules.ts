/**
 * What the egress proxy of a limited sandbox lets through, as pure functions: a target host and port
 * are checked against the block-list and then the allow-list (the same entries and matching as the
 * operator's allow-lists, `src/policy/host-allow-list.ts`), and every address the name resolves to
 * is checked again: a private, loopback, link-local or otherwise non-public address is reached only
 * when the allow-list names that exact host — never through a `*.domain` wildcard — so a public name
 * that resolves (or is rebound) to 127.0.0.1 or a cloud metadata address is refused.
 */
import { BlockList, isIP } from 'node:net';
import { isHostAllowed } from '../policy/host-allow-list.js';

/** One set of lists a proxy enforces (a proxy may enforce several: each must let a target through). */
export interface EgressRules {
  /** Allowed entries, lower-cased; undefined allows every host (only `blockedHosts` narrow). */
  allowedHosts: readonly string[] | undefined;
  blockedHosts: readonly string[];
  /** Whose lists these are, for refusals: `this sandbox` (default) or `web_fetch`. */
  scope?: string;
}

/** A decision about a target: allowed, or refused with a reason that names the host. */
export type EgressDecision = { allowed: true } | { allowed: false; reason: string };

const nonPublicAddresses = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  nonPublicAddresses.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b:1::', 48],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  nonPublicAddresses.addSubnet(network, prefix, 'ipv6');
}

/**
 * Whether an IP address is not a public Internet address: private, loopback, link-local, CGNAT,
 * multicast, unspecified or reserved (IPv4-mapped IPv6 addresses are judged as their IPv4 address).
 *
 * @example
 * isNonPublicAddress('127.0.0.1') // → true
 * isNonPublicAddress('::ffff:169.254.169.254') // → true
 * isNonPublicAddress('93.184.215.14') // → false
 */
export function isNonPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const plain = mapped?.[1] ?? address;
  const family = isIP(plain);
  if (family === 0) return true;
  return nonPublicAddresses.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}

/** The URL an allow-list compares for a host and port (IPv6 literals in brackets). */
function targetUrl(host: string, port: number): string {
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${bracketed}:${port}/`;
}

/**
 * Checks a target against the lists before anything is resolved: a blocked host, or one that no
 * allowed entry matches, is refused with the reason the proxy sends back.
 *
 * @example
 * checkEgressTarget('api.example.com', 443, { allowedHosts: ['*.example.com'], blockedHosts: [] }) // → { allowed: true }
 * checkEgressTarget('evil.test', 80, rules) // → { allowed: false, reason: 'evil.test:80 is not on this sandbox's allowed hosts (*.example.com)' }
 */
export function checkEgressTarget(host: string, port: number, rules: EgressRules): EgressDecision {
  const url = targetUrl(host, port);
  const name = `${host}:${port}`;
  const scope = rules.scope ?? 'this sandbox';
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { allowed: false, reason: `${name} has no valid port` };
  if (isHostAllowed(url, rules.blockedHosts)) return { allowed: false, reason: `${name} is blocked for ${scope}` };
  if (rules.allowedHosts !== undefined && !isHostAllowed(url, rules.allowedHosts)) {
    return { allowed: false, reason: `${name} is not on ${scope}'s allowed hosts (${rules.allowedHosts.join(', ') || 'none'})` };
  }
  return { allowed: true };
}

/**
 * Checks the addresses a target resolved to: any non-public one is refused unless the allow-list
 * names the host exactly (with or without a port), not through a wildcard. A set without an
 * allow-list (web_fetch's `blocked_domains` alone) leaves addresses to the other sets.
 *
 * @example
 * checkEgressAddresses('rebind.example.com', 80, ['127.0.0.1'], { allowedHosts: ['*.example.com'], blockedHosts: [] })
 * // → { allowed: false, reason: 'rebind.example.com:80 resolves to 127.0.0.1, a private or local address …' }
 */
export function checkEgressAddresses(host: string, port: number, addresses: readonly string[], rules: EgressRules): EgressDecision {
  if (addresses.length === 0) return { allowed: false, reason: `${host}:${port} did not resolve to any address` };
  // A set that only blocks decides nothing about addresses; the sandbox's own set (if any) does.
  if (rules.allowedHosts === undefined) return { allowed: true };
  const local = addresses.find(isNonPublicAddress);
  if (local === undefined) return { allowed: true };
  const exactEntries = (rules.allowedHosts ?? []).filter((entry) => !entry.startsWith('*.'));
  if (isHostAllowed(targetUrl(host, port), exactEntries)) return { allowed: true };
  return {
    allowed: false,
    reason: `${host}:${port} resolves to ${local}, a private or local address, which is reached only when ${rules.scope ?? 'this sandbox'}'s allowed hosts name ${host} exactly`,
  };
}

/**
 * Host entries for domains as the web tools' configs give them (`example.com`: the domain and every
 * subdomain), in the allow-list syntax the proxy matches.
 *
 * @example
 * domainEntries(['Docs.Example.com']) // → ['docs.example.com', '*.docs.example.com']
 */
export function domainEntries(domains: readonly string[]): string[] {
  return domains.flatMap((domain) => {
    const name = domain.trim().toLowerCase().replace(/\.+$/, '');
    return /^\d+\.\d+\.\d+\.\d+$/.test(name) ? [name] : [name, `*.${name}`];
  });
}
