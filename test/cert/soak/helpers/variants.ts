import { sign, type KeyObject } from 'node:crypto';
import { bitString, sequence } from '../../../../src/testing/der/der-writer.js';

/**
 * Certificates in bulk, for soak tests: the test kit makes one in ~13 ms
 * (a fresh structure and signature each), these take one RSA signature or
 * none. Each variant is `template` with another serial number (same length,
 * so the DER structure is unchanged) and, when `caKey` is given, the TBS
 * signed again with it (RSA PKCS#1 v1.5, SHA-256, as the kit signs); without
 * it the old signature stays and no longer verifies: a forgery naming the
 * same issuer.
 */
export function certificateVariant(template: Uint8Array, index: number, caKey?: KeyObject): Uint8Array {
  const der = Uint8Array.from(template);
  const outer = header(der, 0);
  const tbs = header(der, outer.content);
  // TBSCertificate: [0] version, then the serial INTEGER.
  const version = header(der, tbs.content);
  const serial = header(der, version.end);
  if (der[version.start] !== 0xa0 || der[serial.start] !== 0x02 || serial.end - serial.content < 5) {
    throw new Error('template is not a v3 certificate with a serial of at least 5 octets');
  }
  // The last four octets carry the index; the first stays positive (high bit clear).
  der[serial.content] = 0x40;
  new DataView(der.buffer, der.byteOffset).setUint32(serial.end - 4, index);
  if (caKey !== undefined) {
    const signature = sign('sha256', der.subarray(tbs.start, tbs.end), caKey);
    // The BIT STRING is last: unused-bits octet, then the signature, of the CA key's (unchanged) length.
    der.set(signature, der.length - signature.length);
  }
  return der;
}

interface Tlv {
  readonly start: number;
  readonly content: number;
  readonly end: number;
}

function header(der: Uint8Array, start: number): Tlv {
  const first = der[start + 1] ?? 0;
  let length = first;
  let content = start + 2;
  if (first & 0x80) {
    length = 0;
    for (let i = 0; i < (first & 0x7f); i++) length = length * 256 + (der[content + i] ?? 0);
    content += first & 0x7f;
  }
  return { start, content, end: content + length };
}

/**
 * `template` with its subject name (or, `field` 3, its issuer name) replaced
 * by `nameDer` (a whole Name element) and signed again with `caKey`: names
 * the test kit's encoder refuses to build (thousands of attributes).
 */
export function certificateWithName(template: Uint8Array, nameDer: Uint8Array, caKey: KeyObject, field: 3 | 5 = 5): Uint8Array {
  const outer = header(template, 0);
  const tbs = header(template, outer.content);
  // TBSCertificate: version, serial, signature, issuer, validity, subject, then the rest.
  const fields: Tlv[] = [];
  for (let at = tbs.content; at < tbs.end; at = (fields[fields.length - 1] as Tlv).end) fields.push(header(template, at));
  const parts = fields.map((f, i) => (i === field ? nameDer : template.subarray(f.start, f.end)));
  const newTbs = sequence(...parts);
  const algorithm = header(template, tbs.end);
  const signature = sign('sha256', newTbs, caKey);
  const bits = bitString(signature);
  return sequence(newTbs, template.subarray(algorithm.start, algorithm.end), bits);
}
