import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { fromHex } from '../../../../src/shared/bytes.js';
import {
  bitString,
  encodedString,
  explicit,
  objectIdentifier,
  octetString,
  sequence,
  setOf,
  smallInteger,
  StringTag,
  tlv,
  x509Time,
} from '../../../../src/testing/der/der-writer.js';

// X.509 certificates written byte by byte (EC P-256 keys, ECDSA with SHA-256), for tests that need
// what the test PKI will not issue: forged CAs, clashing key identifiers, names in chosen string types.

/** An EC key pair. */
export interface KeyPair {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

/** A fresh P-256 key pair. */
export const ecKeyPair = (): KeyPair => generateKeyPairSync('ec', { namedCurve: 'P-256' });

/** The ASN.1 string types a name attribute can be written in. */
export type StringKind = keyof typeof StringTag;

/** Attribute types for {@link dn}. */
export const C = '2.5.4.6';
export const O = '2.5.4.10';
export const OU = '2.5.4.11';
export const CN = '2.5.4.3';

/** A Name, one attribute per RDN in the order given, each value with the string type given. */
export function dn(...attributes: readonly (readonly [oid: string, kind: StringKind, value: string])[]): Uint8Array {
  return sequence(...attributes.map(([oid, kind, value]) => setOf(sequence(objectIdentifier(oid), encodedString(kind, value)))));
}

export interface CertSpec {
  serial: number;
  issuer: Uint8Array;
  subject: Uint8Array;
  /** The subject's public key. */
  key: KeyObject;
  /** The issuer's private key, which signs the certificate. */
  signer: KeyObject;
  /** A CA certificate: critical basicConstraints cA=TRUE and critical keyUsage keyCertSign, cRLSign. */
  ca?: boolean;
  /** Subject key identifier, hex. */
  ski?: string;
  /** Authority key identifier (keyIdentifier), hex. */
  aki?: string;
  /** Valid from 2025-01-01; until 2030-01-01 unless given. */
  notAfter?: Date;
}

const ECDSA_SHA256 = sequence(objectIdentifier('1.2.840.10045.4.3.2'));

/** The DER of a v3 certificate as `spec` describes it; with no extension asked for, it has no extensions field. */
export function certificate(spec: CertSpec): Uint8Array {
  const ext = (oid: string, critical: boolean, value: Uint8Array): Uint8Array =>
    sequence(objectIdentifier(oid), ...(critical ? [tlv(0x01, Uint8Array.of(0xff))] : []), octetString(value));
  const exts: Uint8Array[] = [];
  if (spec.ca === true) {
    exts.push(ext('2.5.29.19', true, sequence(tlv(0x01, Uint8Array.of(0xff)))));
    exts.push(ext('2.5.29.15', true, tlv(0x03, Uint8Array.of(1, 0x06))));
  }
  if (spec.ski !== undefined) exts.push(ext('2.5.29.14', false, octetString(fromHex(spec.ski))));
  if (spec.aki !== undefined) exts.push(ext('2.5.29.35', false, sequence(tlv(0x80, fromHex(spec.aki)))));
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    smallInteger(spec.serial),
    ECDSA_SHA256,
    spec.issuer,
    sequence(x509Time(new Date('2025-01-01T00:00:00Z')), x509Time(spec.notAfter ?? new Date('2030-01-01T00:00:00Z'))),
    spec.subject,
    new Uint8Array(spec.key.export({ type: 'spki', format: 'der' })),
    ...(exts.length === 0 ? [] : [explicit(3, sequence(...exts))]),
  );
  return sequence(tbs, ECDSA_SHA256, bitString(new Uint8Array(sign('sha256', tbs, spec.signer))));
}

/** The subject key identifiers of {@link handMadeCas}' root and issuing CA, hex. */
export const ROOT_ID = '11'.repeat(20);
export const CA_ID = '22'.repeat(20);

/** A root CA and an issuing CA under it, with fresh keys. */
export interface HandMadeCas {
  readonly rootKey: KeyPair;
  readonly caKey: KeyPair;
  /** Self-signed, serial 1, subject key identifier {@link ROOT_ID}. */
  readonly root: Uint8Array;
  /** `issueCa()`: the issuing CA's certificate. */
  readonly ca: Uint8Array;
  /**
   * Another certificate of the issuing CA (its name and key) signed by the root:
   * serial 2, subject key identifier {@link CA_ID} and authority key identifier
   * {@link ROOT_ID} (neither with `keyIds: false`), valid as {@link CertSpec} says.
   */
  issueCa(options?: { serial?: number; keyIds?: boolean; notAfter?: Date }): Uint8Array;
}

/** Makes the {@link HandMadeCas} with these subject names. */
export function handMadeCas(rootName: Uint8Array, caName: Uint8Array): HandMadeCas {
  const [rootKey, caKey] = [ecKeyPair(), ecKeyPair()];
  const root = certificate({ serial: 1, issuer: rootName, subject: rootName, key: rootKey.publicKey, signer: rootKey.privateKey, ca: true, ski: ROOT_ID });
  const issueCa: HandMadeCas['issueCa'] = ({ serial = 2, keyIds = true, notAfter } = {}) =>
    certificate({
      serial,
      issuer: rootName,
      subject: caName,
      key: caKey.publicKey,
      signer: rootKey.privateKey,
      ca: true,
      ...(keyIds ? { ski: CA_ID, aki: ROOT_ID } : {}),
      ...(notAfter === undefined ? {} : { notAfter }),
    });
  return { rootKey, caKey, root, ca: issueCa(), issueCa };
}
