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

function isInwardAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return INWARD.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The part of the inward rule a URL's text cannot show: after a public
 * start, a redirect to a host *name* that resolves to an inward address
 * (`127.0.0.1.nip.io`, a name in `/etc/hosts`) is refused. The check is the
 * resolver the hop's connection uses, so the address checked is the address
 * connected to: a resolver that answers a public address when asked first
 * and an inward one when the connection is made (DNS rebinding) gains
 * nothing. `undefined` (the system resolver, unchecked) after an inward
 * start, where inward hops are allowed. A resolver that never answers is
 * ended by the request's own time limit.
 */
export function hopLookup(start: URL, resolve?: HostResolver): LookupFunction | undefined {
  if (isInward(start)) return undefined;
  return checkedLookup((addresses) => addresses.find(isInwardAddress), resolve);
}

/**
 * Where a redirect of a revocation request may go, or why not. The URL came
 * from a certificate and the answer over plain HTTP: anyone on the path can
 * answer a redirect. So a redirect must stay on http(s), may lead inward
 * only from an inward start (a test responder, an internal mirror named in
 * the configuration), and may not turn an OCSP POST into a GET (only 307 and
 * 308 keep the method; a GET to an OCSP URL answers nothing usable).
 * @returns the next URL.
 * @throws Error saying why the redirect is refused (the caller reports it as `FETCH_FAILED`).
 */
export function nextHop(start: URL, from: URL, status: number, location: string | null, method: 'GET' | 'POST'): URL {
  if (location === null || location === '') throw new Error(`redirect ${status} without a Location`);
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new Error(`redirect ${status} to an unreadable Location`);
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new Error(`redirect to a non-HTTP URL (${next.protocol})`);
  if (isInward(next) && !isInward(start)) throw new Error(`redirect from ${start.host} inward to ${next.host} refused`);
  if (method === 'POST' && status !== 307 && status !== 308) throw new Error(`redirect ${status} would turn the OCSP POST into a GET`);
  return next;
}
