import { DerError } from '../../shared/der/der-error.js';
import { extensionListOf, type DerExtension } from '../../shared/der/der-extensions.js';
import { childrenOf, contextTag, type DerNode, UniversalTag, universalTag } from '../../shared/der/der-reader.js';
import { bitStringOf, integerBytes, oidOf, sequenceOf, smallInteger } from '../../shared/der/der-values.js';

/** One extension as it appears in the certificate. */
export type RawExtension = DerExtension;

/** The fields of an X.509 certificate, still mostly encoded. */
export interface CertificateStructure {
  /** tbsCertificate: what the issuer signed. */
  readonly tbs: DerNode;
  /** The signatureValue BIT STRING's data bytes. */
  readonly signature: Uint8Array;
  /** 1, 2 or 3. */
  readonly version: number;
  readonly serialNumber: Uint8Array;
  readonly signatureAlgorithmOid: string;
  readonly issuer: DerNode;
  readonly notBefore: DerNode;
  readonly notAfter: DerNode;
  readonly subject: DerNode;
  readonly subjectPublicKeyInfo: DerNode;
  readonly extensions: readonly RawExtension[];
}

/** The optional fields after subjectPublicKeyInfo, by context tag. */
const TRAILING_FIELDS: Readonly<Record<number, string>> = { 1: 'issuerUniqueID', 2: 'subjectUniqueID', 3: 'extensions' };

function algorithmOid(node: DerNode, what: string): string {
  const [oid] = sequenceOf(node, what);
  if (oid === undefined) throw new DerError('DER_SHAPE', `${what} is empty`);
  return oidOf(oid, `${what} algorithm`);
}

/**
 * Splits a certificate into its fields (RFC 5280 §4.1). Only the outer shape
 * is checked here; names, times and extensions are decoded by their own
 * stages so an error can name the part that failed.
 */
export function readCertificateStructure(root: DerNode): CertificateStructure {
  const outer = sequenceOf(root, 'certificate');
  const [tbs, signatureAlgorithm, signature] = outer;
  if (tbs === undefined || signatureAlgorithm === undefined || signature === undefined || outer.length !== 3) {
    throw new DerError('DER_SHAPE', 'certificate is not (tbsCertificate, signatureAlgorithm, signatureValue)');
  }
  const signatureValue = bitStringOf(signature, 'signatureValue').bytes;
  const outerAlgorithm = algorithmOid(signatureAlgorithm, 'signatureAlgorithm');

  const fields = sequenceOf(tbs, 'tbsCertificate');
  let index = 0;
  let version = 1;
  const first = fields[0];
  if (first !== undefined && contextTag(first) === 0) {
    const [versionNode] = childrenOf(first, 'version [0]');
    if (versionNode === undefined) throw new DerError('DER_SHAPE', 'version [0] is empty');
    version = smallInteger(versionNode, 'version') + 1;
    if (version > 3) throw new DerError('DER_SHAPE', `version ${version} is not X.509 v1–v3`);
    index = 1;
  }
  const at = (name: string): DerNode => {
    const node = fields[index++];
    if (node === undefined) throw new DerError('DER_SHAPE', `tbsCertificate lacks ${name}`);
    return node;
  };
  const serialNode = at('serialNumber');
  const serialNumber = integerBytes(serialNode, 'serialNumber');
  const innerAlgorithm = algorithmOid(at('signature'), 'tbsCertificate signature');
  if (innerAlgorithm !== outerAlgorithm) {
    throw new DerError('DER_SHAPE', 'tbsCertificate signature algorithm differs from the outer signatureAlgorithm');
  }
  const issuer = at('issuer');
  const validity = sequenceOf(at('validity'), 'validity');
  const [notBefore, notAfter] = validity;
  if (notBefore === undefined || notAfter === undefined || validity.length !== 2) {
    throw new DerError('DER_SHAPE', 'validity is not (notBefore, notAfter)');
  }
  const subject = at('subject');
  const subjectPublicKeyInfo = at('subjectPublicKeyInfo');
  if (universalTag(subjectPublicKeyInfo) !== UniversalTag.sequence) {
    throw new DerError('DER_SHAPE', 'subjectPublicKeyInfo is not a SEQUENCE');
  }
  let extensions: RawExtension[] = [];
  // issuerUniqueID [1], subjectUniqueID [2], extensions [3]: each optional, at most once, in that order. A second
  // [3] used to replace the first, whose extensions (critical ones too) were signed and never read; OpenSSL refuses
  // such a certificate.
  let last = 0;
  for (const rest of fields.slice(index)) {
    const tag = contextTag(rest) ?? 0;
    if (tag !== 1 && tag !== 2 && tag !== 3) throw new DerError('DER_SHAPE', 'tbsCertificate has an unexpected trailing field');
    if (tag <= last) throw new DerError('DER_SHAPE', `tbsCertificate has ${TRAILING_FIELDS[tag]} [${tag}] ${tag === last ? 'twice' : `after ${TRAILING_FIELDS[last]} [${last}]`}`);
    last = tag;
    if (tag === 3) extensions = extensionListOf(rest, 'extensions [3]', 'extensions', 'extension');
  }
  return {
    tbs,
    signature: signatureValue,
    version,
    serialNumber,
    signatureAlgorithmOid: outerAlgorithm,
    issuer,
    notBefore,
    notAfter,
    subject,
    subjectPublicKeyInfo,
    extensions,
  };
}
