import { BlockList, isIP, type LookupFunction } from 'node:net';
import { checkedLookup, type HostResolver } from './http-exchange.js';

/** Redirects a revocation download follows at most (fetch's own limit is 20). */
export const MAX_REDIRECTS = 5;

/** HTTP statuses that redirect. */
const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Whether `status` is a redirect {@link nextHop} decides about. */
export function isRedirect(status: number): boolean {
  return REDIRECTS.has(status);
}

/**
 * Addresses that are the backend's own side of the network: loopback,
 * private (RFC 1918, unique-local, site-local), link-local (cloud metadata
 * services live there), carrier-grade NAT, benchmarking, multicast, reserved
 * and broadcast, and "this network". An IPv4-mapped IPv6
 * address (`::ffff:127.0.0.1`) is checked against the IPv4 rules by
 * `BlockList` itself (and a rule for all of `::ffff:0:0/96` would also
 * match every IPv4 address).
 */
const INWARD = new BlockList();
INWARD.addSubnet('0.0.0.0', 8, 'ipv4');
INWARD.addSubnet('10.0.0.0', 8, 'ipv4');
INWARD.addSubnet('100.64.0.0', 10, 'ipv4');
INWARD.addSubnet('127.0.0.0', 8, 'ipv4');
INWARD.addSubnet('169.254.0.0', 16, 'ipv4');
INWARD.addSubnet('172.16.0.0', 12, 'ipv4');
INWARD.addSubnet('192.168.0.0', 16, 'ipv4');
INWARD.addSubnet('198.18.0.0', 15, 'ipv4');
INWARD.addSubnet('224.0.0.0', 3, 'ipv4'); // multicast, reserved and broadcast
INWARD.addAddress('::', 'ipv6');
INWARD.addAddress('::1', 'ipv6');
INWARD.addSubnet('fc00::', 7, 'ipv6');
INWARD.addSubnet('fe80::', 10, 'ipv6');
INWARD.addSubnet('fec0::', 10, 'ipv6');
INWARD.addSubnet('ff00::', 8, 'ipv6');

/**
 * Whether `url` names a host on the backend's side: an inward address
 * literal, or `localhost` (and `*.localhost`, which resolve to loopback).
 * Names that a resolver maps inward are not seen here.
 */
export function isInward(url: URL): boolean {
  // A fully qualified name's trailing dot (`localhost.`) names the same host.
  const host = hostOf(url).replace(/\.$/, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return isInwardAddress(host);
}

/** The URL's host without an IPv6 literal's brackets. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/**
 * Whether an address literal is inward (see {@link INWARD}). An IPv6 address that carries an IPv4 one (NAT64's
 * `64:ff9b::/96`, 6to4's `2002::/16`) is judged by the IPv4 one too: `64:ff9b::a9fe:a9fe` is 169.254.169.254
 * reached through a translator. NAT64 as such stays allowed: on an IPv6-only host it is how public addresses are
 * reached. A zone (`fe80::1%eth0`) is not part of the address.
 */
function isInwardAddress(text: string): boolean {
  const address = text.replace(/%.*$/, '');
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 4) return INWARD.check(address, 'ipv4');
  if (INWARD.check(address, 'ipv6')) return true;
  const carried = carriedIpv4(address);
  return carried !== undefined && INWARD.check(carried, 'ipv4');
}

/** The IPv4 address a NAT64 (`64:ff9b::/96`) or 6to4 (`2002::/16`) address carries, dotted; else `undefined`. */
function carriedIpv4(address: string): string | undefined {
  const words = ipv6Words(address);
  if (words === undefined) return undefined;
  const nat64 = words[0] === 0x64 && words[1] === 0xff9b && words.slice(2, 6).every((w) => w === 0);
  const [high, low] = nat64 ? [words[6], words[7]] : words[0] === 0x2002 ? [words[1], words[2]] : [undefined, undefined];
  if (high === undefined || low === undefined) return undefined;
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** The eight 16-bit words of an IPv6 address (as the URL parser writes it: `::` once, no dotted tail). */
function ipv6Words(address: string): number[] | undefined {
  let canonical: string;
  try {
    canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const [head = '', tail] = canonical.split('::');
  const part = (s: string): number[] => (s === '' ? [] : s.split(':').map((w) => parseInt(w, 16)));
  const front = part(head);
  const back = tail === undefined ? [] : part(tail);
  const words = [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
  return words.length === 8 ? words : undefined;
}

/**
 * The part of the inward rule a URL's text cannot show: after a public
 * start, a redirect to a host *name* that resolves to an inward address
 * (`127.0.0.1.nip.io`, a name in `/etc/hosts`) is refused. The check is the
 * resolver the hop's connection uses, so the address checked is the address
 * connected to: a resolver that answers a public address when asked first
 * and an inward one when the connection is made (DNS rebinding) gains
 * nothing. After an inward start (`startInward`), where inward hops are
 * allowed, names resolve unchecked. A resolver that never answers is ended
 * by the request's own time limit.
 */
export function hopLookup(startInward: boolean, resolve?: HostResolver): LookupFunction {
  return checkedLookup(startInward ? () => undefined : (addresses) => addresses.find(isInwardAddress), resolve);
}

/**
 * Where a redirect of a revocation request may go, or why not. The URL came
 * from a certificate and the answer over plain HTTP: anyone on the path can
 * answer a redirect. So a redirect must stay on http(s), may lead inward
 * only from an inward start (a test responder, an internal mirror named in
 * the configuration), and may not turn an OCSP POST into a GET (only 307 and
 * 308 keep the method; a GET to an OCSP URL answers nothing usable).
 * `startInward`: whether the start is inward (by default, by its text).
 * @returns the next URL.
 * @throws Error saying why the redirect is refused (the caller reports it as `FETCH_FAILED`).
 */
export function nextHop(start: URL, from: URL, status: number, location: string | null, method: 'GET' | 'POST', startInward = isInward(start)): URL {
  if (location === null || location === '') throw new Error(`redirect ${status} without a Location`);
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new Error(`redirect ${status} to an unreadable Location`);
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new Error(`redirect to a non-HTTP URL (${next.protocol})`);
  if (isInward(next) && !startInward) throw new Error(`redirect from ${start.host} inward to ${next.host} refused`);
  if (method === 'POST' && status !== 307 && status !== 308) throw new Error(`redirect ${status} would turn the OCSP POST into a GET`);
  return next;
}
