import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChainValidationError, ChainValidator, TrustStore } from '../../../src/cert/index.js';
import { fromHex } from '../../../src/shared/bytes.js';
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
} from '../../../src/testing/der/der-writer.js';

// Defect 2: the issuer name must match the candidate's subject name (RFC 5280 §6.1.3 (a)(4)) also
// when key identifiers match, and names compare after string preparation (RFC 5280 §7.1, RFC 4518)
// when they decide alone. Public API only, so the tests also run against the code before the fix.

const now = new Date('2026-06-01T00:00:00Z');
type Kind = keyof typeof StringTag;
const C = '2.5.4.6';
const O = '2.5.4.10';
const OU = '2.5.4.11';
const CN = '2.5.4.3';

/** A Name, one attribute per RDN, each value with the string type given. */
function dn(...attributes: readonly (readonly [string, Kind, string])[]): Uint8Array {
  return sequence(...attributes.map(([oid, kind, value]) => setOf(sequence(objectIdentifier(oid), encodedString(kind, value)))));
}

interface CertSpec {
  serial: number;
  issuer: Uint8Array;
  subject: Uint8Array;
  key: KeyObject;
  signer: KeyObject;
  ca?: boolean;
  ski?: string;
  aki?: string;
}

function certificate(spec: CertSpec): Uint8Array {
  const ext = (oid: string, critical: boolean, value: Uint8Array): Uint8Array =>
    sequence(objectIdentifier(oid), ...(critical ? [tlv(0x01, Uint8Array.of(0xff))] : []), octetString(value));
  const exts: Uint8Array[] = [];
  if (spec.ca === true) exts.push(ext('2.5.29.19', true, sequence(tlv(0x01, Uint8Array.of(0xff)))));
  if (spec.ski !== undefined) exts.push(ext('2.5.29.14', false, octetString(fromHex(spec.ski))));
  if (spec.aki !== undefined) exts.push(ext('2.5.29.35', false, sequence(tlv(0x80, fromHex(spec.aki)))));
  const alg = sequence(objectIdentifier('1.2.840.10045.4.3.2'));
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    smallInteger(spec.serial),
    alg,
    spec.issuer,
    sequence(x509Time(new Date('2025-01-01T00:00:00Z')), x509Time(new Date('2030-01-01T00:00:00Z'))),
    spec.subject,
    new Uint8Array(spec.key.export({ type: 'spki', format: 'der' })),
    ...(exts.length === 0 ? [] : [explicit(3, sequence(...exts))]),
  );
  return sequence(tbs, alg, bitString(new Uint8Array(sign('sha256', tbs, spec.signer))));
}

const ROOT_ID = '11'.repeat(20);
const CA_ID = '22'.repeat(20);
const rootName = dn([C, 'printable', 'TW'], [O, 'utf8', 'Test Root']);
/** The issuing CA's subject as it encodes it. */
const caName = dn([C, 'printable', 'TW'], [O, 'utf8', 'Test CA'], [OU, 'utf8', '內政部憑證管理中心']);
const leafName = dn([C, 'printable', 'TW'], [CN, 'utf8', '王小明']);
let root: Uint8Array;
let caKey: { publicKey: KeyObject; privateKey: KeyObject };
let leafKey: KeyObject;
let rootKey: { publicKey: KeyObject; privateKey: KeyObject };

beforeAll(() => {
  rootKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  caKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  leafKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  root = certificate({ serial: 1, issuer: rootName, subject: rootName, key: rootKey.publicKey, signer: rootKey.privateKey, ca: true, ski: ROOT_ID });
});

/** The issuing CA, with or without a subject key identifier. */
function issuingCa(withKeyId: boolean): Uint8Array {
  return certificate({
    serial: 2,
    issuer: rootName,
    subject: caName,
    key: caKey.publicKey,
    signer: rootKey.privateKey,
    ca: true,
    ...(withKeyId ? { ski: CA_ID, aki: ROOT_ID } : {}),
  });
}

/** A leaf the CA really signed, naming `issuer` as its issuer, with or without an authority key identifier. */
function leafNaming(issuer: Uint8Array, withKeyId: boolean): Uint8Array {
  return certificate({ serial: 3, issuer, subject: leafName, key: leafKey, signer: caKey.privateKey, ...(withKeyId ? { aki: CA_ID } : {}) });
}

function failure(fn: () => unknown): ChainValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ChainValidationError) return err;
    throw err;
  }
  throw new Error('expected a ChainValidationError');
}

describe('the issuer name decides, also when key identifiers match', () => {
  const evil = dn([C, 'printable', 'US'], [O, 'utf8', 'Evil Corp']);

  it('refuses a certificate whose AKI names the CA but whose issuer is "C=US, O=Evil Corp" (configured CA)', () => {
    const validator = new ChainValidator(new TrustStore({ anchors: [root], intermediates: [issuingCa(true)] }));
    const err = failure(() => validator.validate(leafNaming(evil, true), { at: now }));
    expect(err.code).toBe('ISSUER_NOT_FOUND');
    expect(err.message).toContain('Evil Corp');
  });

  it('refuses it with the CA carried in the call as well', () => {
    const validator = new ChainValidator(new TrustStore({ anchors: [root] }));
    expect(failure(() => validator.validate(leafNaming(evil, true), { at: now, intermediates: [issuingCa(true)] })).code).toBe('ISSUER_NOT_FOUND');
  });

  it('still accepts the CA name re-encoded when key identifiers match (BMPString, lower case)', () => {
    const reEncoded = dn([C, 'utf8', 'tw'], [O, 'bmp', 'TEST CA'], [OU, 'bmp', '內政部憑證管理中心']);
    const validator = new ChainValidator(new TrustStore({ anchors: [root], intermediates: [issuingCa(true)] }));
    expect(validator.validate(leafNaming(reEncoded, true), { at: now }).path).toHaveLength(3);
  });
});

describe('names compare after string preparation when they decide alone (no key identifiers)', () => {
  const validator = (): ChainValidator => new ChainValidator(new TrustStore({ anchors: [root], intermediates: [issuingCa(false)] }));

  it('matches the same name in PrintableString vs UTF8String, other case and extra spaces', () => {
    const sameName = dn([C, 'utf8', 'tw'], [O, 'printable', '  TEST   ca '], [OU, 'utf8', '內政部憑證管理中心']);
    expect(validator().validate(leafNaming(sameName, false), { at: now }).path).toHaveLength(3);
  });

  it('matches the Chinese values as BMPString', () => {
    const bmp = dn([C, 'printable', 'TW'], [O, 'bmp', 'Test CA'], [OU, 'bmp', '內政部憑證管理中心']);
    expect(validator().validate(leafNaming(bmp, false), { at: now }).path).toHaveLength(3);
  });

  it('does not match another value, another attribute type or another RDN order', () => {
    const others = [
      dn([C, 'printable', 'TW'], [O, 'utf8', 'Test CA'], [OU, 'utf8', '工商憑證管理中心']),
      dn([C, 'printable', 'TW'], [OU, 'utf8', 'Test CA'], [OU, 'utf8', '內政部憑證管理中心']),
      dn([O, 'utf8', 'Test CA'], [C, 'printable', 'TW'], [OU, 'utf8', '內政部憑證管理中心']),
      dn([C, 'printable', 'TW'], [O, 'utf8', 'Test CA']),
    ];
    for (const other of others) expect(failure(() => validator().validate(leafNaming(other, false), { at: now })).code).toBe('ISSUER_NOT_FOUND');
  });
});
