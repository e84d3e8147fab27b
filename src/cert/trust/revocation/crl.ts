import { bufferOf } from '../../../shared/bytes.js';
import { extensionListOf, type ExtensionCursor } from '../../../shared/der/der-extensions.js';
import { integerHexIn, timeOf } from '../../../shared/der/der-values.js';
import { decodeObjectIdentifier } from '../../../shared/der/der-primitives.js';
import { childrenOf, contentOf, encodingOf, expectTag, readElement, readRoot, type DerNode } from '../../../shared/der/der-reader.js';
import { ExtensionOid } from '../../profile/oids.js';
import { RevocationError } from '../errors.js';
import {
  crlAuthorityKeyId,
  entryExtensionCursor,
  entryReasonOf,
  isReasonCode,
  UNDERSTOOD_CRL_EXTENSIONS,
  unknownCriticalEntryExtension,
} from './crl-extensions.js';
import { decodeIssuingDistributionPoint, OID_ISSUING_DISTRIBUTION_POINT, type IssuingDistributionPoint } from './issuing-distribution-point.js';
import type { RevocationReason } from './revocation-status.js';

const OID_DELTA_CRL_INDICATOR = '2.5.29.27';

/** One revoked serial, decoded on demand. */
export interface CrlEntry {
  /** Serial, spelt as `TrustedCertificate.serialHex` spells it (lower-case hex of the value, `-` before a negative one). */
  readonly serialHex: string;
  /** revocationDate. */
  readonly revokedAt: Date;
  /** reasonCode entry extension, when present and one of RFC 5280's CRLReason values. */
  readonly reason: RevocationReason | undefined;
}

/**
 * A decoded CRL. Entries are indexed by serial in a `Map` from serial hex
 * to the entry's offset, so a look-up is one hash probe whatever the CRL's
 * size, and entries are only fully decoded when they match. The index holds
 * a string and a number per entry; MOICA G2's ~412k entries fit in tens of
 * megabytes.
 */
export class CertificateRevocationList {
  /** The DER bytes. */
  public readonly der: Uint8Array;
  /** DER of tbsCertList (what the issuer signed). */
  public readonly tbs: Uint8Array;
  /** Outer signature algorithm OID. */
  public readonly signatureAlgorithmOid: string;
  /** Signature value. */
  public readonly signature: Uint8Array;
  /** DER of the issuer Name. */
  public readonly issuerDer: Uint8Array;
  /** authorityKeyIdentifier keyIdentifier, hex, when present. */
  public readonly authorityKeyId: string | undefined;
  /** thisUpdate. */
  public readonly thisUpdate: Date;
  /** nextUpdate, when present. */
  public readonly nextUpdate: Date | undefined;
  /** issuingDistributionPoint, when present: the CRL covers only what it names. */
  public readonly issuingDistributionPoint: IssuingDistributionPoint | undefined;
  /** Whether it is a delta CRL (deltaCRLIndicator): changes since a base CRL, not a complete list. */
  public readonly isDelta: boolean;
  /**
   * OIDs of the critical CRL extensions twpki does not understand. Decoded
   * here, judged by `assertCompleteCrl` (the cache refuses such a CRL).
   */
  public readonly unknownCriticalExtensions: readonly string[];
  /** OID of the first critical entry extension (on any entry) twpki does not understand; judged like the above. */
  public readonly unknownCriticalEntryExtension: string | undefined;
  /** Number of revoked entries. */
  public readonly size: number;
  /** Number of index probes made by {@link lookup} (for tests and metrics). */
  public probes = 0;

  private readonly offsets: Map<string, number>;
  /** Reads an entry's extensions in {@link decodeEntry}; made at the first lookup that needs it. */
  private entryExtensions: ExtensionCursor | undefined;

  private constructor(der: Uint8Array) {
    this.der = der;
    const root = expectTag(readRoot(der), 0x30, 'CertificateList');
    const [tbsEl, algEl, sigEl] = childrenOf(root);
    const tbs = expectTag(tbsEl, 0x30, 'tbsCertList');
    this.tbs = encodingOf(tbs);
    this.signatureAlgorithmOid = decodeObjectIdentifier(
      contentOf(expectTag(childrenOf(expectTag(algEl, 0x30, 'signatureAlgorithm'))[0], 0x06, 'algorithm')),
    );
    const sig = expectTag(sigEl, 0x03, 'signatureValue');
    this.signature = der.subarray(sig.contentStart + 1, sig.end);

    // tbsCertList is walked by hand rather than via readChildren so the
    // (possibly huge) revokedCertificates list is never materialised as an array.
    let pos = tbs.contentStart;
    const next = (): DerNode | undefined => {
      if (pos >= tbs.end) return undefined;
      const el = readElement(der, pos, tbs.end);
      pos = el.end;
      return el;
    };
    let el = next();
    if (el?.tag === 0x02) el = next(); // version
    // RFC 5280 5.1.1.2: the signed copy of the algorithm must be the one outside the signature; otherwise
    // the algorithm the signature is checked with is not the one the issuer signed.
    if (algorithmKey(expectTag(el, 0x30, 'signature')) !== algorithmKey(algEl as DerNode)) {
      throw new Error('the signature algorithm inside tbsCertList differs from the one outside it');
    }
    this.issuerDer = encodingOf(expectTag(next(), 0x30, 'issuer'));
    const thisUpdate = next();
    if (thisUpdate === undefined) throw new Error('missing thisUpdate');
    // Strict (timeOf's default): RFC 5280 5.1.2.4 and 5.1.2.5 allow a CRL's times no fractional seconds, no offset.
    this.thisUpdate = timeOf(thisUpdate, 'thisUpdate');
    el = next();
    let nextUpdate: Date | undefined;
    if (el !== undefined && (el.tag === 0x17 || el.tag === 0x18)) {
      nextUpdate = timeOf(el, 'nextUpdate');
      el = next();
    }
    this.nextUpdate = nextUpdate;
    this.offsets = new Map();
    let entryExtensionUnknown: string | undefined;
    if (el?.tag === 0x30) {
      // The serial rule read straight from one Buffer view of the whole CRL,
      // without a subarray and a copy per entry (400k of them).
      const view = bufferOf(der);
      const entryExtensions = entryExtensionCursor(der);
      let entryPos = el.contentStart;
      while (entryPos < el.end) {
        const entry = readElement(der, entryPos, el.end);
        if (entry.tag !== 0x30) throw new Error('revoked entry is not a SEQUENCE');
        const serial = expectTag(readElement(der, entry.contentStart, entry.end), 0x02, 'userCertificate');
        const serialHex = integerHexIn(view, serial.contentStart, serial.end);
        this.offsets.set(serialHex, entry.start);
        // revocationDate is a UTCTime or GeneralizedTime, short-form length: the
        // entry has extensions only when it goes on past that. Two byte reads per
        // entry; the extensions are walked only for entries that carry them, and
        // on every such entry (a malformed one refuses the CRL wherever it is).
        const timeLength = der[serial.end + 1] ?? 0;
        const dateEnd = timeLength < 0x80 ? serial.end + 2 + timeLength : readElement(der, serial.end, entry.end).end;
        if (dateEnd < entry.end) {
          let unknown: string | undefined;
          try {
            unknown = unknownCriticalEntryExtension(der, dateEnd, entry.end, entryExtensions);
          } catch (err) {
            throw new Error(`revoked entry ${serialHex}: ${(err as Error).message}`, { cause: err });
          }
          entryExtensionUnknown ??= unknown;
        }
        entryPos = entry.end;
      }
      el = next();
    }
    let aki: string | undefined;
    const unknownCritical: string[] = [];
    let idp: IssuingDistributionPoint | undefined;
    let isDelta = false;
    // Only crlExtensions may come here, and nothing after it: tbsCertList is walked by position, so an element
    // out of order (revokedCertificates after the extensions) was signed and never read, and its entries never
    // indexed. One comparison each; only the CA (or its software) can produce such a CRL.
    if (el !== undefined && el.tag !== 0xa0) throw new Error(`unexpected element (tag 0x${el.tag.toString(16)}) in tbsCertList after its times`);
    if (el?.tag === 0xa0) {
      // RFC 5280 4.2: an extension appears once (extensionListOf refuses a second). Read twice, the last copy of an
      // issuingDistributionPoint decided the CRL's scope, so a CRL of one partition could pass as complete.
      for (const { oid, critical, value } of extensionListOf(el, 'crlExtensions [0]', 'crlExtensions', 'CRL extension')) {
        if (critical && !UNDERSTOOD_CRL_EXTENSIONS.has(oid)) unknownCritical.push(oid);
        if (oid === ExtensionOid.authorityKeyIdentifier) {
          aki = crlAuthorityKeyId(value);
        } else if (oid === OID_ISSUING_DISTRIBUTION_POINT) {
          idp = decodeIssuingDistributionPoint(value);
        } else if (oid === OID_DELTA_CRL_INDICATOR) {
          isDelta = true;
        }
      }
    }
    const after = next();
    if (after !== undefined) throw new Error(`unexpected element (tag 0x${after.tag.toString(16)}) after crlExtensions`);
    this.authorityKeyId = aki;
    this.issuingDistributionPoint = idp;
    this.isDelta = isDelta;
    this.unknownCriticalExtensions = unknownCritical;
    this.unknownCriticalEntryExtension = entryExtensionUnknown;
    this.size = this.offsets.size;
  }

  /**
   * Decodes a DER CRL.
   * @throws RevocationError `CRL_MALFORMED`.
   */
  public static parse(der: Uint8Array, url?: string): CertificateRevocationList {
    try {
      return new CertificateRevocationList(der);
    } catch (err) {
      throw new RevocationError('CRL_MALFORMED', `not a CRL: ${(err as Error).message}`, {
        cause: err,
        ...(url === undefined ? {} : { url }),
      });
    }
  }

  /** The entry for `serialHex` (canonical form, see `TrustedCertificate.serialHex`), if revoked. */
  public lookup(serialHex: string): CrlEntry | undefined {
    this.probes++;
    const offset = this.offsets.get(serialHex);
    if (offset === undefined) return undefined;
    try {
      return this.decodeEntry(serialHex, offset);
    } catch (err) {
      if (err instanceof RevocationError) throw err;
      throw new RevocationError('CRL_MALFORMED', `revoked entry for ${serialHex}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  private decodeEntry(serialHex: string, offset: number): CrlEntry {
    const der = this.der;
    const entry = readElement(der, offset);
    const [, dateEl, extsEl] = childrenOf(entry);
    if (dateEl === undefined) throw new RevocationError('CRL_MALFORMED', 'revoked entry without a date');
    // RFC 5280 5.1.2.6: revocationDate is written as thisUpdate is, so strictly read too.
    const revokedAt = timeOf(dateEl, 'revocationDate');
    let reason: RevocationReason | undefined;
    if (extsEl !== undefined) {
      // One cursor for every lookup (they run one at a time): a lookup allocates no more than it did before the
      // extensions were checked.
      this.entryExtensions ??= entryExtensionCursor(der);
      for (let ext = this.entryExtensions.first(extsEl); ext !== undefined; ext = this.entryExtensions.next()) {
        if (isReasonCode(ext.oid)) reason = entryReasonOf(ext.value);
      }
    }
    return { serialHex, revokedAt, reason };
  }
}

/**
 * An AlgorithmIdentifier as comparable text: the OID and its parameters, an
 * absent parameter and an explicit NULL counting as the same (encoders differ
 * on that for RSA, and it changes nothing).
 */
function algorithmKey(node: DerNode): string {
  const [oid, ...params] = childrenOf(node);
  const parts = params.filter((p) => !(p.tag === 0x05 && p.end === p.contentStart));
  return `${bufferOf(encodingOf(expectTag(oid, 0x06, 'algorithm'))).toString('hex')}:${parts.map((p) => bufferOf(encodingOf(p)).toString('hex')).join(',')}`;
}
