import {
  type Asn1Node,
  Asn1ShapeError,
  bitStringOf,
  booleanOf,
  childrenOf,
  contextTag,
  integerBytes,
  octetStringOf,
  oidOf,
  sequenceOf,
  smallInteger,
  universalTag,
  UniversalTag,
} from './der-reader.js';

/** One extension as it appears in the certificate. */
export interface RawExtension {
  readonly oid: string;
  readonly critical: boolean;
  /** extnValue content: the DER of the extension's own structure. */
  readonly value: Uint8Array;
}

/** The fields of an X.509 certificate, still mostly encoded. */
export interface CertificateStructure {
  /** 1, 2 or 3. */
  readonly version: number;
  readonly serialNumber: Uint8Array;
  readonly signatureAlgorithmOid: string;
  readonly issuer: Asn1Node;
  readonly notBefore: Asn1Node;
  readonly notAfter: Asn1Node;
  readonly subject: Asn1Node;
  readonly subjectPublicKeyInfo: Asn1Node;
  readonly extensions: readonly RawExtension[];
}

function algorithmOid(node: Asn1Node, what: string): string {
  const [oid] = sequenceOf(node, what);
  if (oid === undefined) throw new Asn1ShapeError(`${what} is empty`);
  return oidOf(oid, `${what} algorithm`);
}

function readExtensions(node: Asn1Node): RawExtension[] {
  const [list] = childrenOf(node, 'extensions [3]');
  if (list === undefined) throw new Asn1ShapeError('extensions [3] is empty');
  const seen = new Set<string>();
  return sequenceOf(list, 'extensions').map((ext) => {
    const fields = sequenceOf(ext, 'extension');
    const [idNode, second, third] = fields;
    if (idNode === undefined || second === undefined || fields.length > 3) {
      throw new Asn1ShapeError('extension is not (extnID, [critical], extnValue)');
    }
    const oid = oidOf(idNode, 'extension extnID');
    if (seen.has(oid)) throw new Asn1ShapeError(`extension ${oid} appears twice`);
    seen.add(oid);
    const critical = third === undefined ? false : booleanOf(second, `extension ${oid} critical flag`);
    const value = octetStringOf(third ?? second, `extension ${oid} extnValue`);
    return { oid, critical, value };
  });
}

/**
 * Splits a certificate into its fields (RFC 5280 §4.1). Only the outer shape
 * is checked here; names, times and extensions are decoded by their own
 * stages so an error can name the part that failed.
 */
export function readCertificateStructure(root: Asn1Node): CertificateStructure {
  const outer = sequenceOf(root, 'certificate');
  const [tbs, signatureAlgorithm, signature] = outer;
  if (tbs === undefined || signatureAlgorithm === undefined || signature === undefined || outer.length !== 3) {
    throw new Asn1ShapeError('certificate is not (tbsCertificate, signatureAlgorithm, signatureValue)');
  }
  bitStringOf(signature, 'signatureValue');
  const outerAlgorithm = algorithmOid(signatureAlgorithm, 'signatureAlgorithm');

  const fields = sequenceOf(tbs, 'tbsCertificate');
  let index = 0;
  let version = 1;
  const first = fields[0];
  if (first !== undefined && contextTag(first) === 0) {
    const [versionNode] = childrenOf(first, 'version [0]');
    if (versionNode === undefined) throw new Asn1ShapeError('version [0] is empty');
    version = smallInteger(versionNode, 'version') + 1;
    if (version > 3) throw new Asn1ShapeError(`version ${version} is not X.509 v1–v3`);
    index = 1;
  }
  const at = (name: string): Asn1Node => {
    const node = fields[index++];
    if (node === undefined) throw new Asn1ShapeError(`tbsCertificate lacks ${name}`);
    return node;
  };
  const serialNode = at('serialNumber');
  const serialNumber = integerBytes(serialNode, 'serialNumber');
  const innerAlgorithm = algorithmOid(at('signature'), 'tbsCertificate signature');
  if (innerAlgorithm !== outerAlgorithm) {
    throw new Asn1ShapeError('tbsCertificate signature algorithm differs from the outer signatureAlgorithm');
  }
  const issuer = at('issuer');
  const validity = sequenceOf(at('validity'), 'validity');
  const [notBefore, notAfter] = validity;
  if (notBefore === undefined || notAfter === undefined || validity.length !== 2) {
    throw new Asn1ShapeError('validity is not (notBefore, notAfter)');
  }
  const subject = at('subject');
  const subjectPublicKeyInfo = at('subjectPublicKeyInfo');
  if (universalTag(subjectPublicKeyInfo) !== UniversalTag.sequence) {
    throw new Asn1ShapeError('subjectPublicKeyInfo is not a SEQUENCE');
  }
  let extensions: RawExtension[] = [];
  for (const rest of fields.slice(index)) {
    const tag = contextTag(rest);
    if (tag === 3) extensions = readExtensions(rest);
    else if (tag !== 1 && tag !== 2) throw new Asn1ShapeError('tbsCertificate has an unexpected trailing field');
  }
  return {
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
