import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

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

/** Resolves a host name to all its addresses (`dns.lookup`, so `/etc/hosts` too). */
export type HostLookup = (host: string) => Promise<readonly string[]>;

const systemLookup: HostLookup = async (host) => (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * The part of the inward rule a URL's text cannot show: a redirect from a
 * public start to a host *name* is refused when the name resolves to an
 * inward address (`127.0.0.1.nip.io`, a name in `/etc/hosts`). A name that
 * does not resolve is left to the fetch, which fails on it. The connection
 * resolves the name again, so a resolver that answers differently the second
 * time (DNS rebinding) is not stopped here. The lookup is given up when
 * `signal` (the fetch's own time limit) aborts: `getaddrinfo` can take tens
 * of seconds, and a login waits for it.
 * @throws Error saying why the redirect is refused.
 */
export async function refuseResolvedInward(start: URL, next: URL, signal?: AbortSignal, lookup: HostLookup = systemLookup): Promise<void> {
  const host = hostOf(next);
  if (isInward(start) || isIP(host) !== 0) return;
  let addresses: readonly string[];
  try {
    addresses = await untilAborted(lookup(host), signal);
  } catch (err) {
    // The fetch's time is up (the resolver can take far longer): that is the answer, not a pass.
    if (signal?.aborted === true) throw err;
    return;
  }
  const inward = addresses.find(isInwardAddress);
  if (inward !== undefined) throw new Error(`redirect from ${start.host} to ${next.host}, which resolves inward to ${inward}, refused`);
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

/** `promise`, or a rejection with the signal's reason as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}
