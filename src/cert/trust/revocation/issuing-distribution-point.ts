import { collectGeneralNames } from '../../profile/extensions/general-names.js';
import { childrenOf, contextTag, readRoot } from '../../../shared/der/der-reader.js';
import { sequenceOf } from '../../../shared/der/der-values.js';
import { DerError } from '../../../shared/der/der-error.js';

/** issuingDistributionPoint. */
export const OID_ISSUING_DISTRIBUTION_POINT = '2.5.29.28';

/**
 * A CRL's issuingDistributionPoint (RFC 5280 5.2.5): which certificates the
 * CRL speaks for. A CRL without it covers every certificate of its issuer,
 * for every reason.
 */
export interface IssuingDistributionPoint {
  /**
   * The URIs of distributionPoint's fullName; `undefined` when the CRL names
   * no distribution point (its scope is then not limited to one).
   */
  readonly fullNameUris: readonly string[] | undefined;
  /** distributionPoint is a nameRelativeToCRLIssuer, which names no URL to compare with. */
  readonly relativeName: boolean;
  /** onlyContainsUserCerts: end-entity certificates only. */
  readonly onlyUserCerts: boolean;
  /** onlyContainsCACerts: CA certificates only. */
  readonly onlyCaCerts: boolean;
  /** onlySomeReasons is present: other reasons are on another CRL. */
  readonly onlySomeReasons: boolean;
  /** indirectCRL: entries may be about another issuer's certificates. */
  readonly indirect: boolean;
  /** onlyContainsAttributeCerts: no public-key certificate is covered. */
  readonly onlyAttributeCerts: boolean;
}

/**
 * Decodes the extension value (the DER inside extnValue).
 * @throws DerError when it is not an IssuingDistributionPoint.
 */
export function decodeIssuingDistributionPoint(value: Uint8Array): IssuingDistributionPoint {
  let fullNameUris: string[] | undefined;
  let relativeName = false;
  const flags = [false, false, false, false, false, false];
  let onlySomeReasons = false;
  for (const field of sequenceOf(readRoot(value, 'issuingDistributionPoint'), 'issuingDistributionPoint')) {
    const tag = contextTag(field);
    if (tag === 0) {
      for (const name of childrenOf(field, 'issuingDistributionPoint distributionPoint')) {
        if (contextTag(name) === 0) {
          fullNameUris = collectGeneralNames(childrenOf(name, 'issuingDistributionPoint fullName'), 'issuingDistributionPoint').uris;
        } else {
          relativeName = true;
        }
      }
    } else if (tag === 3) {
      onlySomeReasons = true;
    } else if (tag !== undefined && tag < flags.length) {
      // BOOLEAN DEFAULT FALSE, implicitly tagged: one octet, any non-zero value TRUE. An empty or longer
      // value is no BOOLEAN (reading past it would take the next field's tag as the value).
      if (field.end - field.contentStart !== 1) throw new DerError('DER_SHAPE', `issuingDistributionPoint [${tag}] is not a one-octet BOOLEAN`);
      flags[tag] = field.source[field.contentStart] !== 0;
    } else {
      throw new DerError('DER_SHAPE', `unexpected field [${tag ?? field.tag}] in issuingDistributionPoint`);
    }
  }
  return {
    fullNameUris,
    relativeName,
    onlyUserCerts: flags[1] === true,
    onlyCaCerts: flags[2] === true,
    onlySomeReasons,
    indirect: flags[4] === true,
    onlyAttributeCerts: flags[5] === true,
  };
}
