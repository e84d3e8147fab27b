import { ChainValidationError } from '../errors.js';
import type { TrustStore } from '../trust-store.js';
import type { TrustedCertificate } from '../trusted-certificate.js';
import { IssuerMatcher } from './issuer-match.js';
import type { LinkChecks } from './link-checks.js';

/**
 * Most candidate issuers one path build examines: checks the signature of,
 * or follows. (A candidate already in the path is skipped uncounted: it
 * costs one comparison, and how many can be compared is bounded by how many
 * were followed.) A real Taiwan chain needs fewer than ten (MOICA G2 → GRCA
 * G2, or → the cross certificate → GRCA G1); the bound is there because
 * extra intermediates come from the CMS being verified, i.e. from whoever
 * made it. RFC 4158 leaves the bound to the implementation (Go's crypto/x509
 * stops at 100 signature checks). Each examined candidate costs at most one
 * signature verification.
 */
export const MAX_CANDIDATES = 64;

/**
 * Most signatures one build verifies for carried candidates. A signature
 * check is the expensive part of a candidate (an RSA key with a huge public
 * exponent costs milliseconds), so it has its own, smaller budget: a real
 * token carries one or two CA certificates.
 */
export const MAX_SIGNATURE_CHECKS = 16;

/** How far one build may go. */
export interface PathLimits {
  /** Longest path, anchor included. */
  readonly maxDepth: number;
  /** Most candidate issuers examined; default {@link MAX_CANDIDATES}. */
  readonly maxCandidates?: number;
  /** Most signatures verified for carried candidates; default {@link MAX_SIGNATURE_CHECKS}. */
  readonly maxSignatureChecks?: number;
}

/** Candidate paths from a target to the anchors, plus why the others dead-ended. */
export interface BuiltPaths {
  /** Complete paths, target first, each ending at an anchor. */
  readonly paths: TrustedCertificate[][];
  /** The first reason a branch could not reach an anchor (the budget, when it ran out), if any did not. */
  readonly deadEnd: ChainValidationError | undefined;
  /** Candidate issuers examined, at most the budget. */
  readonly examined: number;
}

/** One candidate issuer, and whether its signature on the child must be checked before the build follows it. */
interface Candidate {
  readonly cert: TrustedCertificate;
  readonly checkFirst: boolean;
}

/**
 * Enumerates the paths from `target` up to a trust anchor (depth-first,
 * anchors first, then configured intermediates, then `extra`). Several paths
 * are normal here: a MOICA G2 certificate reaches GRCA G2 directly and GRCA
 * G1 through the cross certificate; the rules then pick one.
 *
 * The work is bounded whatever the input: at most `maxCandidates` candidate
 * issuers are examined, and a candidate from `extra` (which a CMS signer or
 * anyone on the way can fill) is followed only once it verifies the
 * certificate below it, so a forged one is dropped at once. Anchors end a
 * path and configured intermediates are the operator's own, so neither is
 * verified here: the signature rule judges them, and the issuing-chain cache
 * can still spare it the work. A path never takes the same certificate, nor
 * the same subject name and key, twice (RFC 4158's loop detection).
 */
export function buildPaths(
  target: TrustedCertificate,
  store: TrustStore,
  extra: readonly TrustedCertificate[],
  limits: PathLimits,
  links: LinkChecks,
): BuiltPaths {
  const maxCandidates = limits.maxCandidates ?? MAX_CANDIDATES;
  const maxSignatureChecks = limits.maxSignatureChecks ?? MAX_SIGNATURE_CHECKS;
  const matcher = new IssuerMatcher();
  const candidatesOf = candidateFinder(store, extra, matcher);
  const paths: TrustedCertificate[][] = [];
  let deadEnd: ChainValidationError | undefined;
  let examined = 0;
  let signatureChecks = 0;
  let exhausted = false;
  // Lazily: a forged candidate should not cost an error object (stack, names as text) once one is kept.
  const note = (err: () => ChainValidationError): void => {
    deadEnd ??= err();
  };
  const repeats = (path: readonly TrustedCertificate[], c: TrustedCertificate): boolean =>
    path.some((p) => p.fingerprint === c.fingerprint || matcher.sameSubjectAndKey(p, c));

  const walk = (path: TrustedCertificate[]): void => {
    const last = path[path.length - 1] as TrustedCertificate;
    if (store.isAnchor(last)) {
      paths.push([...path]);
      return;
    }
    if (path.length >= limits.maxDepth) {
      note(() => new ChainValidationError('CHAIN_TOO_LONG', `no anchor within ${limits.maxDepth} certificates`, { subject: last.subject() }));
      return;
    }
    const candidates = candidatesOf(last);
    if (candidates.length === 0) {
      const keyId = last.authorityKeyId === undefined ? '' : ` (authority key id ${last.authorityKeyId})`;
      const message = (): string => `issuer of ${last.subject()} not found: ${last.issuer()}${keyId}`;
      note(() => new ChainValidationError('ISSUER_NOT_FOUND', message(), { subject: last.subject() }));
      return;
    }
    let fresh = 0;
    for (const { cert: issuer, checkFirst } of candidates) {
      // A repeat costs a comparison, no signature and no descent, so it does not count.
      if (repeats(path, issuer)) continue;
      fresh++;
      if (examined >= maxCandidates) {
        exhausted = true;
        return;
      }
      examined++;
      if (checkFirst) {
        // A key no CA uses is refused before it costs a verification (RSA with a 3,000-bit public exponent:
        // milliseconds each); the algorithm rules would refuse such a path anyway.
        if (!plausibleCaKey(issuer)) {
          note(() => new ChainValidationError('BAD_SIGNATURE', `${issuer.subject()} offered as an issuer has a key no CA uses`, { subject: last.subject() }));
          continue;
        }
        if (signatureChecks >= maxSignatureChecks) {
          exhausted = true;
          return;
        }
        signatureChecks++;
        if (!links.signedBy(last, issuer)) {
          const message = (): string => `signature of ${last.subject()} does not verify with the key of ${issuer.subject()}`;
          note(() => new ChainValidationError('BAD_SIGNATURE', message(), { subject: last.subject() }));
          continue;
        }
      }
      path.push(issuer);
      walk(path);
      path.pop();
      if (exhausted) return;
    }
    if (fresh === 0) {
      note(() => new ChainValidationError('CHAIN_CYCLE', `issuers of ${last.subject()} lead back into the path`, { subject: last.subject() }));
    }
  };

  walk([target]);
  if (exhausted) {
    // The budget's reason comes first: the dead ends seen before it are a sample, not the answer.
    deadEnd = new ChainValidationError(
      'ISSUER_NOT_FOUND',
      `no path from ${target.subject()} to a trust anchor within ${maxCandidates} candidate issuers and ${maxSignatureChecks} signature checks: ` +
        'path building stopped (too many certificates offered as its issuers)',
      { subject: target.subject() },
    );
  }
  return { paths, deadEnd, examined };
}

const CA_CURVES: ReadonlySet<string> = new Set(['prime256v1', 'secp384r1', 'secp521r1']);
const MAX_RSA_EXPONENT = 2n ** 32n;

/**
 * Whether a carried candidate's key is one a CA could have: RSA of 2,048 to
 * 8,192 bits with a public exponent below 2^32, a NIST P-curve, or EdDSA.
 * Anything else (or a key that does not load) is refused before its
 * signature check.
 */
function plausibleCaKey(candidate: TrustedCertificate): boolean {
  try {
    const key = candidate.publicKey();
    const details = key.asymmetricKeyDetails;
    switch (key.asymmetricKeyType) {
      case 'rsa':
      case 'rsa-pss': {
        const bits = details?.modulusLength ?? 0;
        const exponent = details?.publicExponent ?? 0n;
        return bits >= 2048 && bits <= 8192 && exponent > 1n && exponent < MAX_RSA_EXPONENT;
      }
      case 'ec':
        return CA_CURVES.has(details?.namedCurve ?? '');
      case 'ed25519':
      case 'ed448':
        return true;
      default:
        return false;
    }
  } catch {
    return false;
  }
}

/**
 * The candidate issuers of a certificate: anchors, configured intermediates,
 * then `extra`, each certificate once, those that may have issued it by name
 * and key identifier. Kept per certificate for the build, so a certificate
 * reached along several paths is matched against the store once.
 */
function candidateFinder(
  store: TrustStore,
  extra: readonly TrustedCertificate[],
  matcher: IssuerMatcher,
): (cert: TrustedCertificate) => readonly Candidate[] {
  const found = new Map<string, readonly Candidate[]>();
  const sources: readonly (readonly [readonly TrustedCertificate[], boolean])[] = [
    [store.anchors, false],
    [store.intermediates, false],
    [extra, true],
  ];
  return (cert) => {
    const known = found.get(cert.fingerprint);
    if (known !== undefined) return known;
    const seen = new Set<string>();
    const out: Candidate[] = [];
    for (const [list, checkFirst] of sources) {
      for (const candidate of list) {
        if (seen.has(candidate.fingerprint) || !matcher.mayHaveIssued(candidate, cert)) continue;
        seen.add(candidate.fingerprint);
        // An extra with a configured certificate's bytes was met above, as configured.
        out.push({ cert: candidate, checkFirst });
      }
    }
    found.set(cert.fingerprint, out);
    return out;
  };
}
