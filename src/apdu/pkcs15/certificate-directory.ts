import { Pkcs15ShapeError, booleanValue, children, contentBytes, hasTag, parseAsn1, smallInteger, Tag } from './asn1-reader.js';
import { readObjectHeader } from './object-header.js';

/** One certificate object of the CDF (`4104`). */
export interface CertificateDirectoryEntry {
  /** Object label (e.g. `cert1`, `CACert`), empty when absent. */
  readonly label: string;
  /** Object iD (e.g. ASCII `SIGN` = `5349474e`). */
  readonly id: Uint8Array;
  /** The CA flag of CommonCertificateAttributes. */
  readonly authority: boolean;
  /** File path of the EF holding the certificate (e.g. `3F00 5030 08F2`). */
  readonly path: Uint8Array;
  /** Offset of the certificate in that EF. */
  readonly offset: number;
  /** Length of the DER certificate in bytes. */
  readonly length: number;
}

/**
 * Parses one CDF record: PKCS#15 `x509Certificate` object =
 * SEQUENCE { CommonObjectAttributes, CommonCertificateAttributes, [1] { X509CertificateAttributes } },
 * whose value is a Path with index (offset) and [0] length.
 * @throws Pkcs15ShapeError when the record does not have this shape
 */
export function parseCertificateRecord(record: Uint8Array): CertificateDirectoryEntry {
  const top = children(parseAsn1(record), 'certificate object');
  const { label, id, classAttributes: certAttrs } = readObjectHeader(top, 'CommonCertificateAttributes', 'certificate');
  const authority = hasTag(certAttrs[1], 1, Tag.BOOLEAN) ? booleanValue(certAttrs[1], 'authority') : false;
  const typed = top.find((n) => hasTag(n, 3, 1));
  const x509Attrs = children(children(typed, 'typeAttributes')[0], 'X509CertificateAttributes');
  const pathSeq = children(x509Attrs[0], 'certificate Path');
  if (!hasTag(pathSeq[0], 1, Tag.OCTET_STRING)) throw new Pkcs15ShapeError('Path.path missing');
  const path = contentBytes(pathSeq[0], 'Path.path');
  const indexNode = pathSeq.find((n) => hasTag(n, 1, Tag.INTEGER));
  const lengthNode = pathSeq.find((n) => hasTag(n, 3, 0));
  if (!indexNode || !lengthNode) throw new Pkcs15ShapeError('certificate Path lacks index or length');
  return {
    label,
    id,
    authority,
    path,
    offset: smallInteger(indexNode, 'Path.index'),
    length: smallInteger(lengthNode, 'Path.length'),
  };
}
