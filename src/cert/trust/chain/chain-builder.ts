import { ChainValidationError } from '../errors.js';
import type { TrustStore } from '../trust-store.js';
import type { TrustedCertificate } from '../trusted-certificate.js';

/** Candidate paths from a target to the anchors, plus why the others dead-ended. */
export interface BuiltPaths {
  /** Complete paths, target first, each ending at an anchor. */
  readonly paths: TrustedCertificate[][];
  /** The first reason a branch could not reach an anchor, if any did not. */
  readonly deadEnd: ChainValidationError | undefined;
}

/**
 * Enumerates every path from `target` up to a trust anchor (depth-first,
 * anchors tried first), never revisiting a certificate. Several paths are
 * normal here: a MOICA G2 certificate reaches GRCA G2 directly and GRCA G1
 * through the cross certificate.
 */
export function buildPaths(
  target: TrustedCertificate,
  store: TrustStore,
  extra: readonly TrustedCertificate[],
  maxDepth: number,
): BuiltPaths {
  const paths: TrustedCertificate[][] = [];
  let deadEnd: ChainValidationError | undefined;
  const note = (err: ChainValidationError): void => {
    deadEnd ??= err;
  };

  const walk = (path: TrustedCertificate[]): void => {
    const last = path[path.length - 1] as TrustedCertificate;
    if (store.isAnchor(last)) {
      paths.push([...path]);
      return;
    }
    if (path.length >= maxDepth) {
      note(new ChainValidationError('CHAIN_TOO_LONG', `no anchor within ${maxDepth} certificates`, { subject: last.subject() }));
      return;
    }
    const candidates = store.issuersOf(last, extra);
    const fresh = candidates.filter((c) => !path.some((p) => p.fingerprint === c.fingerprint));
    if (candidates.length === 0) {
      const keyId = last.authorityKeyId === undefined ? '' : ` (authority key id ${last.authorityKeyId})`;
      note(
        new ChainValidationError('ISSUER_NOT_FOUND', `issuer of ${last.subject()} not found: ${last.issuer()}${keyId}`, {
          subject: last.subject(),
        }),
      );
      return;
    }
    if (fresh.length === 0) {
      note(
        new ChainValidationError('CHAIN_CYCLE', `issuers of ${last.subject()} lead back into the path`, {
          subject: last.subject(),
        }),
      );
      return;
    }
    for (const issuer of fresh) {
      path.push(issuer);
      walk(path);
      path.pop();
    }
  };

  walk([target]);
  return { paths, deadEnd };
}
