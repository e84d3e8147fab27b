/**
 * Whether a revocation that a CRL or an OCSP answer lists had happened by `at`.
 *
 * The listed time counts, but never later than the answer that lists it
 * (`listedAt`, its thisUpdate): an answer cannot list a revocation still to
 * come, so a later time is the CA's clock running ahead of this one (answers
 * are taken up to the clock skew early) or a local time written as UTC. Nor
 * later than the present `now`: an answer current now that lists the
 * certificate says it is revoked now. Asked about a past time (an archived
 * document), a revocation after `at` still leaves the certificate good then.
 */
export function revokedBy(revokedAt: Date, listedAt: Date, at: Date, now: Date): boolean {
  return Math.min(revokedAt.getTime(), listedAt.getTime(), now.getTime()) <= at.getTime();
}
