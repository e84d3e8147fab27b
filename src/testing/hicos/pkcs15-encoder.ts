import * as asn1js from 'asn1js';

/** A certificate entry to encode into the virtual card's CDF. */
export interface CdfEntrySpec {
  /** Label (`cert1`, `cert2`, `CACert`, `ROOTCACert`). */
  label: string;
  /** iD bytes (`SIGN`, `KEYX`, or any for CA certificates). */
  id: Uint8Array;
  /** CA flag. */
  authority: boolean;
  /** Path of the EF holding the certificate. */
  path: Uint8Array;
  /** Offset in that EF. */
  offset: number;
  /** DER length. */
  length: number;
}

/** A private key entry to encode into the virtual card's PrKDF. */
export interface PrkdfEntrySpec {
  /** Label. */
  label: string;
  /** iD bytes. */
  id: Uint8Array;
  /** Key reference (EA P2). */
  keyRef: number;
  /** Modulus length in bits. */
  modulusBits: number;
  /** Signing key (else decryption/unwrap). */
  signing: boolean;
}

function der(node: asn1js.AsnType): Uint8Array {
  return new Uint8Array(node.toBER(false));
}

function octets(bytes: Uint8Array): asn1js.OctetString {
  return new asn1js.OctetString({ valueHex: Uint8Array.from(bytes).buffer });
}

function utf8(text: string): asn1js.Utf8String {
  return new asn1js.Utf8String({ value: text });
}

/** Minimal two's-complement content octets of a non-negative integer. */
function integerContent(n: number): ArrayBuffer {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return Uint8Array.from(bytes).buffer;
}

function bits(hex: string, unusedBits: number): asn1js.BitString {
  return new asn1js.BitString({ valueHex: Uint8Array.from(Buffer.from(hex, 'hex')).buffer, unusedBits });
}

function context(tagNumber: number, value: asn1js.AsnType[]): asn1js.Constructed {
  return new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber }, value });
}

/** A PKCS#15 `x509Certificate` CDF record. */
export function encodeCdfRecord(entry: CdfEntrySpec): Uint8Array {
  const certAttrs: asn1js.AsnType[] = [octets(entry.id)];
  if (entry.authority) certAttrs.push(new asn1js.Boolean({ value: true }));
  const path = new asn1js.Sequence({
    value: [
      octets(entry.path),
      new asn1js.Integer({ valueHex: integerContent(entry.offset) }),
      new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: integerContent(entry.length) }),
    ],
  });
  return der(
    new asn1js.Sequence({
      value: [
        new asn1js.Sequence({ value: [utf8(entry.label)] }),
        new asn1js.Sequence({ value: certAttrs }),
        context(1, [new asn1js.Sequence({ value: [path] })]),
      ],
    }),
  );
}

/** A PKCS#15 `privateRSAKey` PrKDF record. */
export function encodePrkdfRecord(entry: PrkdfEntrySpec, keyPath: Uint8Array): Uint8Array {
  // KeyUsageFlags: sign (bit 2) + nonRepudiation (bit 9), or decrypt (1) + unwrap (5).
  const usage = entry.signing ? bits('2040', 6) : bits('44', 2);
  return der(
    new asn1js.Sequence({
      value: [
        new asn1js.Sequence({ value: [utf8(entry.label), bits('80', 7), octets(Uint8Array.of(0x01))] }),
        new asn1js.Sequence({
          value: [octets(entry.id), usage, new asn1js.Integer({ valueHex: integerContent(entry.keyRef) })],
        }),
        context(1, [
          new asn1js.Sequence({
            value: [new asn1js.Sequence({ value: [octets(keyPath)] }), new asn1js.Integer({ valueHex: integerContent(entry.modulusBits) })],
          }),
        ]),
      ],
    }),
  );
}

/** A PKCS#15 `publicRSAKey` PuKDF record pointing at the key EF. */
export function encodePukdfRecord(entry: PrkdfEntrySpec, keyPath: Uint8Array): Uint8Array {
  return der(
    new asn1js.Sequence({
      value: [
        new asn1js.Sequence({ value: [utf8(entry.label)] }),
        new asn1js.Sequence({ value: [octets(entry.id), bits('40', 6), new asn1js.Integer({ valueHex: integerContent(entry.keyRef) })] }),
        context(1, [
          new asn1js.Sequence({
            value: [new asn1js.Sequence({ value: [octets(keyPath)] }), new asn1js.Integer({ valueHex: integerContent(entry.modulusBits) })],
          }),
        ]),
      ],
    }),
  );
}

/** A PKCS#15 TokenInfo. */
export function encodeTokenInfo(serialNumber: Uint8Array, manufacturer: string, label: string): Uint8Array {
  return der(
    new asn1js.Sequence({
      value: [
        new asn1js.Integer({ value: 0 }),
        octets(serialNumber),
        utf8(manufacturer),
        new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: Uint8Array.from(Buffer.from(label, 'utf8')).buffer }),
        bits('00', 0),
      ],
    }),
  );
}

/** An EF.DIR application template: `61 { 4F AID, 50 label, 51 path }`. */
export function encodeDirRecord(aid: Uint8Array, label: string, path: Uint8Array): Uint8Array {
  const tlv = (tag: number, value: Uint8Array): Uint8Array => Uint8Array.from([tag, value.length, ...value]);
  const body = Buffer.concat([tlv(0x4f, aid), tlv(0x50, new Uint8Array(Buffer.from(label, 'utf8'))), tlv(0x51, path)]);
  return tlv(0x61, new Uint8Array(body));
}

/** Concatenates records and pads with `fill` to at least `size` bytes (always at least one padding byte). */
export function padRecords(records: readonly Uint8Array[], size: number, fill = 0xff): Uint8Array {
  const body = Buffer.concat(records);
  const out = new Uint8Array(Math.max(size, body.length + 1)).fill(fill);
  out.set(body);
  return out;
}
