import { randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import type * as X509Types from '@peculiar/x509';
import { parseCertificate } from '../../cert/profile/index.js';
import { loadX509 } from './x509-loader.js';
import { KEY_USAGE_BITS } from '../../cert/profile/extensions/key-usage.js';
import { ExtensionOid, GPKI_POLICY_LEVEL3 } from '../../cert/profile/oids.js';
import { encodeGpkiAttributes } from './gpki-attributes-encoder.js';
import { buildName } from './name-builder.js';
import { spkiOf, toSigningKey, type RsaKeyPair, type SignatureHash } from './rsa-keys.js';
import type { GpkiAttributesSpec, KeyUsageName, NameSpec, RawExtensionSpec } from './types.js';

/** WebCrypto as @peculiar/x509 types it (the project compiles without DOM lib). */
type X509Crypto = NonNullable<Parameters<typeof X509Types.X509CertificateGenerator.create>[1]>;
type X509SigningKey = X509Types.X509CertificateCreateWithKeyParams['signingKey'];
type X509Algorithm = NonNullable<X509Types.X509CertificateCreateWithKeyParams['signingAlgorithm']>;
const nodeCrypto = webcrypto as unknown as X509Crypto;

/** The signer of a certificate: its name (DER), key and key identifier. */
export interface CertificateSigner {
  /** DER of the issuer's subject Name, copied byte for byte into `issuer`. */
  readonly name: Uint8Array;
  readonly privateKey: KeyObject;
  /** Hex SKI of the issuer, for authorityKeyIdentifier; absent → no AKI. */
  readonly keyId: string | undefined;
}

/** Everything one certificate needs; defaults are resolved by the caller. */
export interface CertificateRequest {
  readonly subject: NameSpec;
  readonly keyPair: RsaKeyPair;
  /** `self` for a self-signed certificate. */
  readonly signer: CertificateSigner | 'self';
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly serialNumber?: string;
  readonly keyUsage?: readonly KeyUsageName[];
  readonly keyUsageCritical?: boolean;
  readonly extendedKeyUsage?: readonly string[];
  readonly isCa?: boolean;
  readonly pathLength?: number;
  readonly policies?: readonly string[];
  readonly crlUrl?: string | null;
  readonly ocspUrl?: string | null;
  readonly caIssuersUrl?: string | null;
  readonly email?: string;
  readonly gpkiAttributes?: GpkiAttributesSpec;
  readonly ocspNoCheck?: boolean;
  readonly signatureHash?: SignatureHash;
  readonly omitKeyIdentifiers?: boolean;
  readonly extraExtensions?: readonly RawExtensionSpec[];
}

/** A positive serial of 16 random bytes, hex. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  // Positive (top bit clear) and without a leading zero byte, so DER keeps all 16 bytes.
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x10;
  return bytes.toString('hex');
}

/** Hex SKI (RFC 5280 method 1: SHA-1 of the subjectPublicKey bits). */
export async function keyIdentifierOf(publicKey: KeyObject): Promise<string> {
  const x509 = await loadX509();
  const ext = await x509.SubjectKeyIdentifierExtension.create(spkiOf(publicKey), false, nodeCrypto);
  return ext.keyId;
}

/** Signs a certificate as the request describes; returns its DER. */
export async function signCertificate(request: CertificateRequest): Promise<Uint8Array> {
  const x509 = await loadX509();
  const subjectName = buildName(request.subject);
  const ownKeyId = await keyIdentifierOf(request.keyPair.publicKey);
  const signer: CertificateSigner =
    request.signer === 'self'
      ? { name: subjectName, privateKey: request.keyPair.privateKey, keyId: ownKeyId }
      : request.signer;
  const extensions: X509Types.Extension[] = [];

  if (request.isCa === true) {
    extensions.push(new x509.BasicConstraintsExtension(true, request.pathLength, true));
  }
  if (request.keyUsage !== undefined && request.keyUsage.length > 0) {
    // x509's KeyUsageFlags are 1 << (RFC 5280 bit number).
    const flags = request.keyUsage.reduce<number>((acc, name) => acc | (1 << KEY_USAGE_BITS.indexOf(name)), 0);
    extensions.push(new x509.KeyUsagesExtension(flags, request.keyUsageCritical ?? true));
  }
  if (request.extendedKeyUsage !== undefined && request.extendedKeyUsage.length > 0) {
    extensions.push(new x509.ExtendedKeyUsageExtension([...request.extendedKeyUsage], false));
  }
  if (request.omitKeyIdentifiers !== true) {
    extensions.push(new x509.SubjectKeyIdentifierExtension(ownKeyId));
    if (signer.keyId !== undefined) extensions.push(new x509.AuthorityKeyIdentifierExtension(signer.keyId));
  }
  const policies = request.policies ?? [GPKI_POLICY_LEVEL3];
  if (policies.length > 0) extensions.push(new x509.CertificatePolicyExtension([...policies]));
  if (request.crlUrl) extensions.push(new x509.CRLDistributionPointsExtension([request.crlUrl]));
  const aia: X509Types.AuthorityInfoAccessParams = {};
  if (request.ocspUrl) aia.ocsp = [new x509.GeneralName('url', request.ocspUrl)];
  if (request.caIssuersUrl) aia.caIssuers = [new x509.GeneralName('url', request.caIssuersUrl)];
  if (aia.ocsp !== undefined || aia.caIssuers !== undefined) {
    extensions.push(new x509.AuthorityInfoAccessExtension(aia));
  }
  if (request.email !== undefined) {
    extensions.push(new x509.SubjectAlternativeNameExtension([{ type: 'email', value: request.email }]));
  }
  if (request.gpkiAttributes !== undefined) {
    const der = encodeGpkiAttributes(request.gpkiAttributes);
    if (der !== undefined) extensions.push(new x509.Extension(ExtensionOid.subjectDirectoryAttributes, false, der));
  }
  if (request.ocspNoCheck === true) {
    // id-pkix-ocsp-nocheck: extnValue is an ASN.1 NULL.
    extensions.push(new x509.Extension(ExtensionOid.ocspNoCheck, false, Uint8Array.of(0x05, 0x00)));
  }
  for (const raw of request.extraExtensions ?? []) {
    extensions.push(new x509.Extension(raw.oid, raw.critical, raw.value));
  }

  const hash = request.signatureHash ?? 'SHA-256';
  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: request.serialNumber ?? randomSerial(),
      subject: new x509.Name(subjectName),
      issuer: new x509.Name(signer.name),
      notBefore: request.notBefore,
      notAfter: request.notAfter,
      publicKey: spkiOf(request.keyPair.publicKey),
      signingKey: (await toSigningKey(signer.privateKey, hash)) as unknown as X509SigningKey,
      signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash } as X509Algorithm,
      extensions,
    },
    nodeCrypto,
  );
  return new Uint8Array(certificate.rawData);
}

/** Hex SKI carried by a certificate, if any (lower case, as x509 takes it). */
export function subjectKeyIdOf(der: Uint8Array): string | undefined {
  return parseCertificate(der).subjectKeyId?.toLowerCase();
}

/** DER of a certificate's subject Name, byte for byte. */
export function subjectNameOf(der: Uint8Array): Uint8Array {
  return parseCertificate(der).subject.der;
}
