import type { OcspSingleResponse } from './ocsp-response.js';

/** How strict an answer is: a later one in this order wins. */
const RANK: Readonly<Record<OcspSingleResponse['status'], number>> = { good: 0, unknown: 1, revoked: 2 };

/**
 * The answer to use when a response carries several SingleResponses for the
 * certificate asked about (RFC 6960 does not define what they mean
 * together). The strictest wins — revoked over unknown over good — rather
 * than the first: a signed "revoked" from the CA is authoritative whatever
 * else the response says, and refusing the whole response would only send
 * the check to the CRL for the same outcome at more cost. Among revoked
 * answers the earliest revocation time wins (a past-time check then reads
 * the certificate as revoked from the first moment any answer says so);
 * among good ones the one expiring first, so a cached answer is not kept
 * beyond any of them. `undefined` for an empty list.
 */
export function strictestSingle(matches: readonly OcspSingleResponse[]): OcspSingleResponse | undefined {
  let chosen: OcspSingleResponse | undefined;
  for (const single of matches) {
    if (chosen === undefined || stricter(single, chosen)) chosen = single;
  }
  return chosen;
}

function stricter(a: OcspSingleResponse, b: OcspSingleResponse): boolean {
  if (RANK[a.status] !== RANK[b.status]) return RANK[a.status] > RANK[b.status];
  if (a.status === 'revoked') return (a.revokedAt ?? a.thisUpdate).getTime() < (b.revokedAt ?? b.thisUpdate).getTime();
  // No nextUpdate is the shortest life: such an answer is never cached.
  return (a.nextUpdate?.getTime() ?? -Infinity) < (b.nextUpdate?.getTime() ?? -Infinity);
}
