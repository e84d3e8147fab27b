import type { KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChainValidator, TrustStore } from '../../../src/cert/index.js';
import { chainFailure } from './helpers/chain-failure.js';
import { C, CA_ID, certificate, CN, dn, ecKeyPair, handMadeCas, O, OU, type HandMadeCas } from './helpers/hand-made-certificates.js';

// Defect 2: the issuer name must match the candidate's subject name (RFC 5280 §6.1.3 (a)(4)) also
// when key identifiers match, and names compare after string preparation (RFC 5280 §7.1, RFC 4518)
// when they decide alone. Public API only, so the tests also run against the code before the fix.

const now = new Date('2026-06-01T00:00:00Z');
const rootName = dn([C, 'printable', 'TW'], [O, 'utf8', 'Test Root']);
/** The issuing CA's subject as it encodes it. */
const caName = dn([C, 'printable', 'TW'], [O, 'utf8', 'Test CA'], [OU, 'utf8', '內政部憑證管理中心']);
const leafName = dn([C, 'printable', 'TW'], [CN, 'utf8', '王小明']);
let cas: HandMadeCas;
let root: Uint8Array;
let leafKey: KeyObject;

beforeAll(() => {
  cas = handMadeCas(rootName, caName);
  root = cas.root;
  leafKey = ecKeyPair().publicKey;
});

/** The issuing CA, with or without a subject key identifier. */
function issuingCa(withKeyId: boolean): Uint8Array {
  return cas.issueCa({ keyIds: withKeyId });
}

/** A leaf the CA really signed, naming `issuer` as its issuer, with or without an authority key identifier. */
function leafNaming(issuer: Uint8Array, withKeyId: boolean): Uint8Array {
  return certificate({ serial: 3, issuer, subject: leafName, key: leafKey, signer: cas.caKey.privateKey, ...(withKeyId ? { aki: CA_ID } : {}) });
}

describe('the issuer name decides, also when key identifiers match', () => {
  const evil = dn([C, 'printable', 'US'], [O, 'utf8', 'Evil Corp']);

  it('refuses a certificate whose AKI names the CA but whose issuer is "C=US, O=Evil Corp" (configured CA)', () => {
    const validator = new ChainValidator(new TrustStore({ anchors: [root], intermediates: [issuingCa(true)] }));
    const err = chainFailure(() => validator.validate(leafNaming(evil, true), { at: now }));
    expect(err.code).toBe('ISSUER_NOT_FOUND');
    expect(err.message).toContain('Evil Corp');
  });

  it('refuses it with the CA carried in the call as well', () => {
    const validator = new ChainValidator(new TrustStore({ anchors: [root] }));
    expect(chainFailure(() => validator.validate(leafNaming(evil, true), { at: now, intermediates: [issuingCa(true)] })).code).toBe('ISSUER_NOT_FOUND');
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
    for (const other of others) expect(chainFailure(() => validator().validate(leafNaming(other, false), { at: now })).code).toBe('ISSUER_NOT_FOUND');
  });
});
