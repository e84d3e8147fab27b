import { DerError } from '../../shared/der/der-error.js';
import { booleanValue, children, contentCopy, isContext, isUniversal, parseRecord, smallNumber, UniversalTag } from './record-elements.js';
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
 * @throws DerError when the record does not have this shape
 */
export function parseCertificateRecord(record: Uint8Array): CertificateDirectoryEntry {
  const top = children(parseRecord(record, 'certificate object'), 'certificate object');
  const { label, id, classAttributes: certAttrs } = readObjectHeader(top, 'CommonCertificateAttributes', 'certificate');
  const authority = isUniversal(certAttrs[1], UniversalTag.boolean) ? booleanValue(certAttrs[1], 'authority') : false;
  const typed = top.find((n) => isContext(n, 1));
  const x509Attrs = children(children(typed, 'typeAttributes')[0], 'X509CertificateAttributes');
  const pathSeq = children(x509Attrs[0], 'certificate Path');
  if (!isUniversal(pathSeq[0], UniversalTag.octetString)) throw new DerError('DER_SHAPE', 'Path.path missing');
  const path = contentCopy(pathSeq[0], 'Path.path');
  const indexNode = pathSeq.find((n) => isUniversal(n, UniversalTag.integer));
  const lengthNode = pathSeq.find((n) => isContext(n, 0));
  if (!indexNode || !lengthNode) throw new DerError('DER_SHAPE', 'certificate Path lacks index or length');
  return {
    label,
    id,
    authority,
    path,
    offset: smallNumber(indexNode, 'Path.index'),
    length: smallNumber(lengthNode, 'Path.length'),
  };
}
