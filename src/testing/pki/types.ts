import type { KeyObject } from 'node:crypto';
import type { KeyUsageName } from '../../cert/profile/extensions/key-usage.js';

/** Key usage bit names (RFC 5280 order); the same type the profile reports. */
export type { KeyUsageName };

/** Issuing authorities the test PKI mimics. */
export type TestAuthority = 'moica' | 'moeaca' | 'gca' | 'xca' | 'hca';

/** Every {@link TestAuthority}, in a stable order. */
export const TEST_AUTHORITIES: readonly TestAuthority[] = ['moica', 'moeaca', 'gca', 'xca', 'hca'];

/** A certificate with its key pair, as issued by the test PKI. */
export interface IssuedCertificate {
  /** The certificate, DER. */
  readonly certificate: Uint8Array;
  /** RSA private key (node:crypto). */
  readonly privateKey: KeyObject;
  /** RSA public key (node:crypto). */
  readonly publicKey: KeyObject;
}

/** A test certification authority: root or one issuing CA. */
export interface TestCa extends IssuedCertificate {
  /** Display name, e.g. `(測試用) 內政部憑證管理中心`. */
  readonly name: string;
}

/** GPKI card type attribute value (2.16.886.1.100.2.2). */
export type GpkiCardType = 'primary' | 'secondary' | 'mobile';

/** Options of {@link TestPki.issueCardHolder}. */
export interface CardHolderOptions {
  /** Which issuing CA signs the two certificates. */
  authority: TestAuthority;
  /** Subject CN (MOICA, HCA) or organisation name (MOEACA, GCA, XCA); defaults per authority. */
  commonName?: string;
  /** Start of validity; default: one hour before the PKI's `now`. */
  notBefore?: Date;
  /** End of validity; default: five years later, at 15:59:59Z (23:59:59 Taiwan time). */
  notAfter?: Date;
  /** MOICA 4-digit hint (2.16.886.1.100.2.51); default `1234` for MOICA (where it must be 4 digits), absent otherwise. */
  idHint?: string;
  /** MOEACA 統一編號 (2.16.886.1.100.2.101); default a checksum-valid test number. */
  businessId?: string;
  /** GCA/XCA agency or organisation OID (2.16.886.1.100.2.102); default per authority. */
  organizationOid?: string;
  /**
   * The 16-character subject serialNumber (MOICA, GCA; HCA only when given); default random digits. A PrintableString
   * of 1 to 64 characters (A–Z a–z 0–9 space ' ( ) + , - . / : = ?). MOEACA and XCA subjects have none: giving it
   * for them is `BAD_OPTIONS`.
   */
  subjectSerialNumber?: string;
  /** E-mail carried in subjectAltName of both certificates: ASCII only (rfc822Name is an IA5String). */
  email?: string;
  /** Card type attribute, a PrintableString; default `primary` (not set for HCA). */
  cardType?: GpkiCardType;
}

/** The two certificates of one card and the chain above them. */
export interface CardHolderCredentials {
  /** Authority that issued them. */
  readonly authority: TestAuthority;
  /** Signing certificate (digitalSignature, critical). */
  readonly sign: IssuedCertificate;
  /** Key-exchange certificate (keyEncipherment, dataEncipherment). */
  readonly keyx: IssuedCertificate;
  /** Issuing CA certificate, then the root, DER. */
  readonly chain: readonly Uint8Array[];
}

/** ASN.1 string type used to encode one DN attribute value. */
export type NameStringEncoding = 'utf8' | 'bmp' | 'printable' | 'teletex' | 'ia5';

/** One attribute of a distinguished name to build. */
export interface NameAttributeSpec {
  /** Short name (`C`, `O`, `OU`, `CN`, `L`, `ST`, `serialNumber`, `E`, …) or a dotted OID. */
  readonly type: string;
  /** The value. */
  readonly value: string;
  /**
   * How to encode it. Default: PrintableString for `C` and `serialNumber`,
   * IA5String for `E`, UTF8String otherwise (what real GPKI certificates do).
   * `printable` and `teletex` store the UTF-8 bytes as they are, even for
   * Chinese, to reproduce non-conforming encoders.
   */
  readonly encoding?: NameStringEncoding;
}

/**
 * A distinguished name: `"C=TW, O=行政院, CN=王小明"` (comma-separated, most
 * significant first, `\,` escapes a comma) or attributes in order.
 */
export type NameSpec = string | readonly NameAttributeSpec[];

/** GPKI attributes to put in subjectDirectoryAttributes. */
export interface GpkiAttributesSpec {
  /** Subject type OID (2.16.886.1.100.2.1). */
  subjectType?: string;
  /** Card type (2.16.886.1.100.2.2). */
  cardType?: string;
  /** MOICA 4-digit hint (2.16.886.1.100.2.51). */
  idHint?: string;
  /** MOEACA 統一編號 (2.16.886.1.100.2.101). */
  businessId?: string;
  /** Agency / organisation OID (2.16.886.1.100.2.102). */
  organizationOid?: string;
}

/** A raw extension to add as is. */
export interface RawExtensionSpec {
  /** Extension OID. */
  readonly oid: string;
  /** Critical flag. */
  readonly critical: boolean;
  /** DER of extnValue's content. */
  readonly value: Uint8Array;
}

/** Options of {@link TestPki.issueCertificate}, for edge cases. */
export interface CertificateOptions {
  /** Signer: the root, an issuing CA, or any issued certificate with its key (e.g. a sub-CA). */
  issuer: TestCa | IssuedCertificate | 'root';
  /** Subject name. */
  subject: NameSpec;
  /** Key usage bits; omitted → no keyUsage extension. */
  keyUsage?: readonly KeyUsageName[];
  /** Whether keyUsage is critical; default true. */
  keyUsageCritical?: boolean;
  /** Extended key usage OIDs (e.g. `1.3.6.1.5.5.7.3.9` for an OCSP responder). */
  extendedKeyUsage?: readonly string[];
  /** Adds basicConstraints cA=TRUE (critical). */
  isCa?: boolean;
  /** pathLenConstraint when `isCa`. */
  pathLength?: number;
  /** Default: one hour before the PKI's `now`. */
  notBefore?: Date;
  /** Default: one year after `notBefore`. */
  notAfter?: Date;
  /** Policy OIDs; default `['2.16.886.101.0.3.3']`; `[]` omits the extension. */
  policies?: readonly string[];
  /** CRL distribution point; default the issuing test CA's CRL URL (none for other issuers); `null` omits it. */
  crlUrl?: string | null;
  /** OCSP URL in AIA; default the PKI's OCSP URL; `null` omits it. */
  ocspUrl?: string | null;
  /** caIssuers URL in AIA; default the issuing test CA's certificate URL (none for other issuers); `null` omits it. */
  caIssuersUrl?: string | null;
  /** E-mail in subjectAltName: ASCII only (rfc822Name is an IA5String). */
  email?: string;
  /** GPKI subjectDirectoryAttributes. */
  gpkiAttributes?: GpkiAttributesSpec;
  /** Adds id-pkix-ocsp-nocheck (for OCSP responder certificates). */
  ocspNoCheck?: boolean;
  /** Certify this key instead of generating a new pair (e.g. to re-certify a key). */
  keyPair?: {
    /** Private key, returned as the issued certificate's `privateKey`. */
    readonly privateKey: KeyObject;
    /** Public key the certificate certifies. */
    readonly publicKey: KeyObject;
  };
  /** Serial number, hex; default 16 random bytes. */
  serialNumber?: string;
  /** Signature hash; default SHA-256 (`SHA-1` mimics G1-era certificates). */
  signatureHash?: 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';
  /** Omit subjectKeyIdentifier / authorityKeyIdentifier (both default present). */
  omitKeyIdentifiers?: boolean;
  /** Further extensions, added last. */
  extraExtensions?: readonly RawExtensionSpec[];
}

/** A generated PKI: a test root (like GRCA) and one issuing CA per authority. */
export interface TestPki {
  /** The self-signed test root, mimicking GRCA. */
  readonly root: TestCa;
  /** The issuing CAs this PKI has (see {@link TestPkiOptions.authorities}), in {@link TEST_AUTHORITIES} order. */
  readonly authorities: readonly TestAuthority[];
  /**
   * The issuing CA mimicking MOICA/MOEACA/GCA/XCA/HCA.
   * @throws TestPkiError `UNKNOWN_AUTHORITY` for an authority this PKI was not made with.
   */
  issuer(authority: TestAuthority): TestCa;
  /**
   * Issues a card's SIGN and KEYX certificates.
   * @throws TestPkiError `BAD_OPTIONS` naming the option, before a key pair is made: an unknown name, a date that
   * is not a valid Date, or text the certificate's ASN.1 type cannot carry as given (`subjectSerialNumber`,
   * `cardType`: PrintableString; `email`: ASCII; `organizationOid`: a dotted OID; lone surrogates elsewhere).
   */
  issueCardHolder(options: CardHolderOptions): Promise<CardHolderCredentials>;
  /**
   * Issues any certificate, for edge cases (expired, wrong usage, OCSP responder, sub-CA).
   * @throws TestPkiError `BAD_OPTIONS` naming the option (`issuer.privateKey`, `notAfter`, `keyUsage[1]`, …), or
   * `BAD_SUBJECT_NAME` for the subject, before a key pair is made.
   */
  issueCertificate(options: CertificateOptions): Promise<IssuedCertificate>;
  /** The CRL URL a certificate issued by `authority` (or the root) points at. */
  crlUrl(authority: TestAuthority | 'root'): string;
  /** The OCSP URL end-entity certificates point at. */
  readonly ocspUrl: string;
}

/** Options of {@link createTestPki}. */
export interface TestPkiOptions {
  /** Reference time for default validity; default the current time. */
  now?: Date;
  /** CRLs are `<crlBaseUrl>/<authority>.crl` (root: `root.crl`); default `http://127.0.0.1:8080/crl`. */
  crlBaseUrl?: string;
  /** OCSP URL in AIA of every issued certificate; default `http://127.0.0.1:8080/ocsp`. */
  ocspUrl?: string;
  /** caIssuers are `<caIssuersBaseUrl>/<authority>.cer`; default `http://127.0.0.1:8080/certs`. */
  caIssuersBaseUrl?: string;
  /**
   * The issuing CAs to make under the root; default all of {@link TEST_AUTHORITIES}. Each one costs an RSA-2048
   * key pair (~0.2 s of CPU), so a test that only issues MOICA cards can ask for `['moica']` and make two keys
   * instead of six.
   */
  authorities?: readonly TestAuthority[];
}
