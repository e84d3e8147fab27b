/**
 * How far two clocks may disagree before an instant one of them wrote counts as "in the future" for the other.
 * One figure for the SDK: the default `clockSkewMs` of the CRL cache and the OCSP client (a CA's thisUpdate or
 * producedAt read by the checker's clock), and the tolerance of the enrolment flows for an instant a host's clock
 * stamped and the flow's clock reads (`OfficialMemberInput.activatedAt` and `deactivatedAt`).
 */
export const CLOCK_SKEW_MS = 5 * 60_000;
