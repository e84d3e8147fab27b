import { ChainValidationError } from '../../errors.js';
import type { ChainRule } from '../chain-rule.js';

/**
 * Extensions whose meaning the chain rules (or the login steps) enforce, or
 * which carry no constraint. Name constraints, policy constraints and
 * inhibitAnyPolicy are deliberately absent: they are not enforced here, so a
 * certificate marking them critical is refused rather than half-checked.
 */
const UNDERSTOOD: ReadonlySet<string> = new Set([
  '2.5.29.9', // subjectDirectoryAttributes (GPKI attributes)
  '2.5.29.14', // subjectKeyIdentifier
  '2.5.29.15', // keyUsage
  '2.5.29.17', // subjectAltName
  '2.5.29.19', // basicConstraints
  '2.5.29.31', // cRLDistributionPoints
  '2.5.29.32', // certificatePolicies
  '2.5.29.35', // authorityKeyIdentifier
  '2.5.29.37', // extKeyUsage
  '1.3.6.1.5.5.7.1.1', // authorityInfoAccess
  '1.3.6.1.5.5.7.48.1.5', // id-pkix-ocsp-nocheck
]);

/** RFC 5280 4.2: a certificate with a critical extension the validator does not process is rejected. */
export const criticalExtensionRule: ChainRule = {
  name: 'critical-extension',
  check({ path }) {
    // The anchor is trusted by configuration; its extensions constrain nothing here.
    for (let i = 0; i < path.length - 1; i++) {
      const cert = path[i];
      const unknown = cert?.criticalExtensions.find((oid) => !UNDERSTOOD.has(oid));
      if (cert !== undefined && unknown !== undefined) {
        throw new ChainValidationError('UNKNOWN_CRITICAL_EXTENSION', `${cert.subject()} has critical extension ${unknown}, which is not processed`, {
          subject: cert.subject(),
        });
      }
    }
  },
};
