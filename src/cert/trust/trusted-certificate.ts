import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import {
  contentBytes,
  decodeOid,
  decodeTime,
  elementBytes,
  expectTag,
  integerHex,
  readChildren,
  readRoot,
  type DerElement,
} from './der/der-reader.js';
import { nameToText } from './der/name-text.js';
import { ChainValidationError } from './errors.js';
import type { BasicConstraintsValue } from './extensions/basic-constraints.js';
import { decodeExtensions } from './extensions/certificate-extensions.js';
import type { KeyUsageBits } from './extensions/key-usage.js';
import { fromPemOrDer } from './pem.js';

/**
 * A certificate decoded just far enough for path building, signature and
 * revocation checks. It keeps views into the original DER so the signed
 * bytes are exactly what the issuer signed.
 */
export class TrustedCertificate {
  /** The DER encoding. */
  public readonly der: Uint8Array;
  /** DER of tbsCertificate (what the issuer signed). */
  public readonly tbs: Uint8Array;
  /** OID of the outer signatureAlgorithm. */
  public readonly signatureAlgorithmOid: string;
  /** The signature value (BIT STRING content without the unused-bits octet). */
  public readonly signature: Uint8Array;
  /** Serial number, lower-case hex without leading zero octets. */
  public readonly serialHex: string;
  /** DER of the issuer Name. */
  public readonly issuerDer: Uint8Array;
  /** DER of the subject Name. */
  public readonly subjectDer: Uint8Array;
  /** DER of SubjectPublicKeyInfo. */
  public readonly spki: Uint8Array;
  /** The subjectPublicKey BIT STRING content (what OCSP's issuerKeyHash hashes). */
  public readonly publicKeyBits: Uint8Array;
  /** Start of validity. */
  public readonly notBefore: Date;
  /** End of validity. */
  public readonly notAfter: Date;
  /** subjectKeyIdentifier, lower-case hex, when present. */
  public readonly subjectKeyId: string | undefined;
  /** authorityKeyIdentifier keyIdentifier, lower-case hex, when present. */
  public readonly authorityKeyId: string | undefined;
  /** basicConstraints, when present. */
  public readonly basicConstraints: BasicConstraintsValue | undefined;
  /** keyUsage, when present. */
  public readonly keyUsage: KeyUsageBits | undefined;
  /** extendedKeyUsage OIDs, when present. */
  public readonly extendedKeyUsage: readonly string[] | undefined;
  /** OCSP responder URLs from authorityInfoAccess. */
  public readonly ocspUrls: readonly string[];
  /** CRL URLs from cRLDistributionPoints (full names only). */
  public readonly crlUrls: readonly string[];
  /** OIDs of the extensions marked critical. */
  public readonly criticalExtensions: readonly string[];
  /** certificatePolicies policy OIDs, empty when the extension is absent. */
  public readonly policies: readonly string[];
  /** SHA-256 of the DER, hex; identity for de-duplication and cycle checks. */
  public readonly fingerprint: string;

  private key: KeyObject | undefined;
  private subjectText: string | undefined;

  private constructor(der: Uint8Array) {
    this.der = der;
    this.fingerprint = createHash('sha256').update(der).digest('hex');
    const root = expectTag(readRoot(der), 0x30, 'Certificate');
    const [tbsEl, algEl, sigEl] = readChildren(der, root);
    const tbsSeq = expectTag(tbsEl, 0x30, 'tbsCertificate');
    this.tbs = elementBytes(der, tbsSeq);
    this.signatureAlgorithmOid = readAlgorithmOid(der, expectTag(algEl, 0x30, 'signatureAlgorithm'));
    this.signature = bitStringContent(der, expectTag(sigEl, 0x03, 'signatureValue'));

    const fields = readChildren(der, tbsSeq);
    let i = 0;
    if (fields[0]?.tag === 0xa0) i++; // explicit version
    this.serialHex = integerHex(contentBytes(der, expectTag(fields[i++], 0x02, 'serialNumber')));
    expectTag(fields[i++], 0x30, 'signature');
    this.issuerDer = elementBytes(der, expectTag(fields[i++], 0x30, 'issuer'));
    const validity = readChildren(der, expectTag(fields[i++], 0x30, 'validity'));
    const nb = validity[0];
    const na = validity[1];
    if (nb === undefined || na === undefined) throw new Error('validity needs two times');
    this.notBefore = decodeTime(nb.tag, contentBytes(der, nb));
    this.notAfter = decodeTime(na.tag, contentBytes(der, na));
    this.subjectDer = elementBytes(der, expectTag(fields[i++], 0x30, 'subject'));
    const spkiEl = expectTag(fields[i++], 0x30, 'subjectPublicKeyInfo');
    this.spki = elementBytes(der, spkiEl);
    this.publicKeyBits = bitStringContent(der, expectTag(readChildren(der, spkiEl)[1], 0x03, 'subjectPublicKey'));

    const wrapper = fields.slice(i).find((f) => f.tag === 0xa3);
    const ext = decodeExtensions(der, wrapper === undefined ? undefined : expectTag(readChildren(der, wrapper)[0], 0x30, 'extensions'));
    this.subjectKeyId = ext.subjectKeyId;
    this.authorityKeyId = ext.authorityKeyId;
    this.basicConstraints = ext.basicConstraints;
    this.keyUsage = ext.keyUsage;
    this.extendedKeyUsage = ext.extendedKeyUsage;
    this.ocspUrls = ext.ocspUrls;
    this.crlUrls = ext.crlUrls;
    this.policies = ext.policies;
    this.criticalExtensions = ext.critical;
  }

  /**
   * Decodes a certificate from DER or PEM.
   * @throws ChainValidationError `MALFORMED_CERTIFICATE` naming what is wrong.
   */
  public static from(input: Uint8Array | string): TrustedCertificate {
      try {
      return new TrustedCertificate(fromPemOrDer(input));
    } catch (err) {
      if (err instanceof ChainValidationError) throw err;
      throw new ChainValidationError('MALFORMED_CERTIFICATE', `not a certificate: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /** The subject public key as a node KeyObject (decoded once). */
  public publicKey(): KeyObject {
    this.key ??= createPublicKey({ key: Buffer.from(this.spki), format: 'der', type: 'spki' });
    return this.key;
  }

  /** The subject DN as RFC 4514-like text, for messages. */
  public subject(): string {
    this.subjectText ??= safeName(this.subjectDer);
    return this.subjectText;
  }

  /** The issuer DN as text, for messages. */
  public issuer(): string {
    return safeName(this.issuerDer);
  }

  /** Whether subject and issuer names are byte-identical (self-issued, RFC 5280 6.1). */
  public isSelfIssued(): boolean {
    return Buffer.compare(Buffer.from(this.subjectDer), Buffer.from(this.issuerDer)) === 0;
  }

  /** Whether the certificate is valid at `at` (inclusive bounds). */
  public isValidAt(at: Date): boolean {
    const t = at.getTime();
    return t >= this.notBefore.getTime() && t <= this.notAfter.getTime();
  }
}

function readAlgorithmOid(buf: Uint8Array, seq: DerElement): string {
  return decodeOid(contentBytes(buf, expectTag(readChildren(buf, seq)[0], 0x06, 'algorithm')));
}

function bitStringContent(buf: Uint8Array, el: DerElement): Uint8Array {
  if (el.end - el.contentStart < 1) throw new Error('empty BIT STRING');
  return buf.subarray(el.contentStart + 1, el.end);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function safeName(der: Uint8Array): string {
  try {
    return nameToText(der);
  } catch {
    return `<undecodable name ${hex(der).slice(0, 32)}…>`;
  }
}

