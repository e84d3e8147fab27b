import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { namesEqual } from './name-equality.js';
import { describeValue } from '../../shared/describe-value.js';
import { encodingOf, expectTag } from '../../shared/der/der-reader.js';
import { bitStringOf, integerHex, sequenceOf, timeOf } from '../../shared/der/der-values.js';
import { signatureAlgorithmFromOid, verifyWith } from './algorithms.js';
import { nameToText } from './name-text.js';
import { ChainValidationError } from './errors.js';
import { certificateBlock, fromPemOrDer } from '../encoding/pem.js';
import { decodeExtensions, type DecodedExtensions } from '../profile/certificate-extensions.js';
import type { CertificateStructure } from '../profile/certificate-structure.js';
import type { BasicConstraints } from '../profile/extensions/basic-constraints.js';
import type { KeyUsageName } from '../profile/extensions/key-usage.js';
import { ExtensionOid } from '../profile/oids.js';
import { profileOf, readCertificate } from '../profile/parse-certificate.js';
import type { CertificateProfile } from '../profile/certificate-profile.js';

/** The key-usage bits chain and login checks look at (RFC 5280 4.2.1.3). */
export interface KeyUsageBits {
  /** Bit 0. */
  readonly digitalSignature: boolean;
  /** Bit 1 (contentCommitment). */
  readonly nonRepudiation: boolean;
  /** Bit 2. */
  readonly keyEncipherment: boolean;
  /** Bit 3. */
  readonly dataEncipherment: boolean;
  /** Bit 5. */
  readonly keyCertSign: boolean;
  /** Bit 6. */
  readonly cRLSign: boolean;
}

/** basicConstraints as the chain rules use it (the profile's decoding). */
export type BasicConstraintsValue = BasicConstraints;

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
  /**
   * Serial number, lower-case hex of its value without leading zero octets; a negative one (RFC 5280 forbids it, a
   * CA may still have written it) is its magnitude after a `-`. CRL entries and OCSP answers are matched by this
   * spelling, so -128 (`-80`) and +128 (`80`) are two certificates. The profile's `serialNumber` is it in upper case.
   */
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
  /** CRL URLs from cRLDistributionPoints (full names only), each once. */
  public readonly crlUrls: readonly string[];
  /** OIDs of the extensions marked critical. */
  public readonly criticalExtensions: readonly string[];
  /** certificatePolicies policy OIDs, empty when the extension is absent. */
  public readonly policies: readonly string[];
  /** SHA-256 of the DER, hex; identity for de-duplication and cycle checks. */
  public readonly fingerprint: string;

  private key: KeyObject | undefined;
  private subjectText: string | undefined;
  private profileValue: CertificateProfile | undefined;
  private readonly structure: CertificateStructure;
  private readonly trustExtensions: DecodedExtensions;

  private constructor(der: Uint8Array) {
    this.der = der;
    this.fingerprint = createHash('sha256').update(der).digest('hex');
    // The one walk over the certificate; the profile is built from the same
    // nodes when asked for, never by parsing the DER again.
    const structure = readCertificate(der);
    this.structure = structure;
    this.tbs = encodingOf(structure.tbs);
    this.signatureAlgorithmOid = structure.signatureAlgorithmOid;
    this.signature = structure.signature;
    this.serialHex = integerHex(structure.serialNumber);
    this.issuerDer = encodingOf(expectTag(structure.issuer, 0x30, 'issuer'));
    this.subjectDer = encodingOf(expectTag(structure.subject, 0x30, 'subject'));
    // Checks read validity as strict DER (seconds, `Z`); the profile shows the same nodes tolerantly.
    this.notBefore = timeOf(structure.notBefore, 'notBefore');
    this.notAfter = timeOf(structure.notAfter, 'notAfter');
    this.spki = encodingOf(structure.subjectPublicKeyInfo);
    const [, keyBits] = sequenceOf(structure.subjectPublicKeyInfo, 'subjectPublicKeyInfo');
    this.publicKeyBits = bitStringOf(expectTag(keyBits, 0x03, 'subjectPublicKey'), 'subjectPublicKey').bytes;

    // Only the extensions trust rules read (a CertificateParseError becomes
    // MALFORMED_CERTIFICATE in `from`); the profile decodes the rest later.
    const ext = decodeExtensions(structure.extensions, { include: (oid) => TRUST_EXTENSIONS.has(oid) });
    this.trustExtensions = ext;
    // The profile writes key identifiers upper-case; trust compares lower-case (CRL, CMS, OCSP ids).
    this.subjectKeyId = ext.subjectKeyId?.toLowerCase();
    this.authorityKeyId = ext.authorityKeyId?.toLowerCase();
    this.basicConstraints = ext.basicConstraints;
    this.keyUsage = ext.keyUsage === undefined ? undefined : keyUsageBits(ext.keyUsage);
    this.extendedKeyUsage = ext.extendedKeyUsage;
    this.ocspUrls = ext.authorityInfoAccess?.ocsp ?? [];
    // Each once: a URL listed twice would be downloaded twice when it fails.
    this.crlUrls = [...new Set(ext.crlUrls ?? [])];
    this.policies = ext.policies ?? [];
    this.criticalExtensions = structure.extensions.filter((e) => e.critical).map((e) => e.oid);
  }

  /**
   * Decodes a certificate from DER or PEM.
   * @throws ChainValidationError `MALFORMED_CERTIFICATE` naming what is wrong.
   */
  public static from(input: Uint8Array | string): TrustedCertificate {
    if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
      throw new ChainValidationError('MALFORMED_CERTIFICATE', `not a certificate: the input must be DER bytes or PEM text, got ${describeValue(input)}`);
    }
    try {
      return new TrustedCertificate(fromPemOrDer(input, certificateBlock));
    } catch (err) {
      if (err instanceof ChainValidationError) throw err;
      throw new ChainValidationError('MALFORMED_CERTIFICATE', `not a certificate: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /** The subject public key as a node KeyObject (decoded once). */
  public publicKey(): KeyObject {
    this.key ??= importPublicKey(this.spki, this.publicKeyBits);
    return this.key;
  }

  /**
   * The certificate's typed profile (authority, names, identity hints…),
   * built on first use from the fields already read for the trust checks
   * (the DER is not parsed again; the extensions decoded for trust are
   * reused) and kept.
   * @throws CertificateParseError when a part only the profile reads (names,
   * subjectAltName, GPKI attributes) does not decode.
   */
  public profile(): CertificateProfile {
    this.profileValue ??= profileOf(this.der, this.structure, { values: this.trustExtensions, oids: TRUST_EXTENSIONS });
    return this.profileValue;
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
    return namesEqual(this.subjectDer, this.issuerDer);
  }

  /** Whether it is self-issued and its own key verifies its signature (a root, i.e. a trust-anchor candidate). */
  public isSelfSigned(): boolean {
    if (!this.isSelfIssued()) return false;
    const alg = signatureAlgorithmFromOid(this.signatureAlgorithmOid);
    return alg?.digest !== undefined && verifyWith(this.spki, alg.scheme, alg.digest, this.tbs, this.signature);
  }

  /** Whether the certificate is valid at `at` (inclusive bounds). */
  public isValidAt(at: Date): boolean {
    const t = at.getTime();
    return t >= this.notBefore.getTime() && t <= this.notAfter.getTime();
  }
}

/**
 * The extensions the trust checks read. The profile's other decoders
 * (subjectAltName, GPKI directory attributes) are not run, so a certificate
 * is not rejected over an extension no trust rule looks at.
 */
const TRUST_EXTENSIONS: ReadonlySet<string> = new Set<string>([
  ExtensionOid.subjectKeyIdentifier,
  ExtensionOid.authorityKeyIdentifier,
  ExtensionOid.basicConstraints,
  ExtensionOid.keyUsage,
  ExtensionOid.extendedKeyUsage,
  ExtensionOid.certificatePolicies,
  ExtensionOid.authorityInfoAccess,
  ExtensionOid.crlDistributionPoints,
]);

function keyUsageBits(names: readonly KeyUsageName[]): KeyUsageBits {
  const has = (name: KeyUsageName): boolean => names.includes(name);
  return {
    digitalSignature: has('digitalSignature'),
    nonRepudiation: has('nonRepudiation'),
    keyEncipherment: has('keyEncipherment'),
    dataEncipherment: has('dataEncipherment'),
    keyCertSign: has('keyCertSign'),
    cRLSign: has('cRLSign'),
  };
}

/** AlgorithmIdentifier rsaEncryption with NULL parameters, as it appears in an RSA SubjectPublicKeyInfo. */
const RSA_ENCRYPTION_ALGORITHM = Buffer.from('300d06092a864886f70d0101010500', 'hex');

/**
 * The SubjectPublicKeyInfo as a KeyObject. For RSA keys the BIT STRING
 * already is a PKCS#1 RSAPublicKey, and importing that is about 20× faster
 * than importing the SPKI (OpenSSL 3's SPKI decoder costs ~0.6 ms, four RSA
 * verifications' worth, on every login). Same key either way.
 */
function importPublicKey(spki: Uint8Array, keyBits: Uint8Array): KeyObject {
  const header = spki[1] !== undefined && spki[1] >= 0x80 ? 2 + (spki[1] & 0x7f) : 2;
  const algorithm = spki.subarray(header, header + RSA_ENCRYPTION_ALGORITHM.length);
  if (RSA_ENCRYPTION_ALGORITHM.equals(algorithm)) {
    return createPublicKey({ key: Buffer.from(keyBits), format: 'der', type: 'pkcs1' });
  }
  return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
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

