import { beforeAll, describe, expect, it } from 'vitest';
import { ChainValidationError, ChainValidator, TrustStore, TrustedCertificate, parseCertificate } from '../../../src/cert/index.js';
import { escapeNameValue } from '../../../src/cert/profile/distinguished-name.js';
import { nameToText } from '../../../src/cert/trust/name-text.js';
import { officialDnText } from '../../../src/agent/pkcs11-info.js';
import { createTestPki, type IssuedCertificate, type TestPki } from '../../../src/testing/pki/index.js';

// A rendered name (TrustedCertificate.subject()/issuer(), which every chain
// and revocation message quotes, and the profile's subject/issuer text) must
// show each value as one value on one line, whatever the certificate holds.

const SPOOF_CN = 'Mallory, O=行政院, OU=內政部憑證管理中心';
const SPOOF_TEXT = 'C=TW, CN=Mallory\\, O\\=行政院\\, OU\\=內政部憑證管理中心';
const LOG_CN = 'Alice\u0000\r\nFAKE LOG LINE: login ok user=admin\u001b[2K';
const LOG_TEXT = 'CN=Alice\\00\\0D\\0AFAKE LOG LINE: login ok user\\=admin\\1B[2K';

let pki: TestPki;
let spoof: IssuedCertificate;
let logLine: IssuedCertificate;
/** A CA whose own name carries the spoofing CN, and a certificate it issued. */
let spoofCa: IssuedCertificate;
let underSpoofCa: IssuedCertificate;

beforeAll(async () => {
  pki = await createTestPki({ authorities: ['moica'] });
  const moica = pki.issuer('moica');
  spoof = await pki.issueCertificate({ issuer: moica, subject: [{ type: 'C', value: 'TW' }, { type: 'CN', value: SPOOF_CN }] });
  logLine = await pki.issueCertificate({ issuer: moica, subject: [{ type: 'CN', value: LOG_CN }] });
  spoofCa = await pki.issueCertificate({
    issuer: 'root',
    subject: [{ type: 'C', value: 'TW' }, { type: 'CN', value: SPOOF_CN }],
    isCa: true,
    keyUsage: ['keyCertSign', 'cRLSign'],
  });
  underSpoofCa = await pki.issueCertificate({ issuer: spoofCa, subject: 'C=TW, CN=王小明', keyUsage: ['digitalSignature'] });
});

describe('TrustedCertificate.subject() and issuer()', () => {
  it('escape a CN that would read as several RDNs', () => {
    expect(TrustedCertificate.from(spoof.certificate).subject()).toBe(SPOOF_TEXT);
    expect(TrustedCertificate.from(underSpoofCa.certificate).issuer()).toBe(SPOOF_TEXT);
  });

  it('escape CR, LF, NUL and ESC as \\XX so the text stays one line', () => {
    const text = TrustedCertificate.from(logLine.certificate).subject();
    expect(text).toBe(LOG_TEXT);
    expect(text).not.toMatch(/[\u0000-\u001f\u007f]/);
  });

  it('keep a chain error message about such a name on one line', () => {
    // The spoofing CA is not configured: the error names the missing issuer.
    const validator = new ChainValidator(new TrustStore({ anchors: [pki.issuer('moica').certificate] }));
    let message = '';
    try {
      validator.validate(underSpoofCa.certificate);
    } catch (err) {
      if (!(err instanceof ChainValidationError)) throw err;
      message = err.message;
    }
    expect(message).toContain(SPOOF_TEXT);
    expect(message).not.toMatch(/[\r\n]/);
  });

  it('leave ordinary Chinese names exactly as before', () => {
    const moica = TrustedCertificate.from(pki.issuer('moica').certificate);
    expect(moica.subject()).toBe('C=TW, O=行政院, OU=(測試用) 內政部憑證管理中心');
    const ee = TrustedCertificate.from(underSpoofCa.certificate);
    expect(ee.subject()).toBe('C=TW, CN=王小明');
  });
});

describe("the profile's subject and issuer text", () => {
  it('escape the spoofing CN and control characters the same way', () => {
    expect(parseCertificate(spoof.certificate).subject.text).toBe(SPOOF_TEXT);
    expect(parseCertificate(underSpoofCa.certificate).issuer.text).toBe(SPOOF_TEXT);
    expect(parseCertificate(logLine.certificate).subject.text).toBe(LOG_TEXT);
  });

  it('keep the decoded values unescaped (text is for display only)', () => {
    const subject = parseCertificate(spoof.certificate).subject;
    expect(subject.commonName).toBe(SPOOF_CN);
    expect(subject.organizations).toEqual([]);
  });

  it('leave ordinary Chinese names exactly as before', async () => {
    const holder = await pki.issueCardHolder({ authority: 'moica', commonName: '王小明' });
    const profile = parseCertificate(holder.sign.certificate);
    expect(profile.subject.text).toMatch(/^C=TW, CN=王小明, serialNumber=[0-9A-Z]+$/);
    expect(profile.issuer.text).toBe('C=TW, O=行政院, OU=(測試用) 內政部憑證管理中心');
    expect(TrustedCertificate.from(holder.sign.certificate).subject()).toBe(profile.subject.text);
  });
});

describe('escapeNameValue (RFC 4514 and control characters)', () => {
  it.each([
    ['王小明', '王小明'],
    ['(測試用) 內政部憑證管理中心', '(測試用) 內政部憑證管理中心'],
    ['a,b+c"d\\e<f>g;h=i', 'a\\,b\\+c\\"d\\\\e\\<f\\>g\\;h\\=i'],
    ['#1', '\\#1'],
    ['a#1', 'a#1'],
    [' lead', '\\ lead'],
    ['trail ', 'trail\\ '],
    [' ', '\\ '],
    ['  ', '\\ \\ '],
    ['a\tb', 'a\\09b'],
    ['del\u007f', 'del\\7F'],
    ['nel\u0085', 'nel\\C2\\85'],
    ['line\u2028sep\u2029', 'line\\E2\\80\\A8sep\\E2\\80\\A9'],
    ['\u202egnp.exe', '\\E2\\80\\AEgnp.exe'],
    ['全形，逗號', '全形，逗號'],
  ])('%j → %j', (value, text) => {
    expect(escapeNameValue(value)).toBe(text);
  });
});

describe('nameToText', () => {
  it('joins the members of a multi-valued RDN with + and escapes each', () => {
    const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
    const atv = (oid: number[], value: Buffer): Buffer => tlv(0x30, Buffer.concat([tlv(0x06, Buffer.from(oid)), value]));
    const cn = [0x55, 0x04, 0x03];
    const ou = [0x55, 0x04, 0x0b];
    const name = tlv(0x30, Buffer.concat([tlv(0x31, Buffer.concat([atv(ou, utf8('甲')), atv(cn, utf8('a+b'))]))]));
    expect(nameToText(name)).toBe('OU=甲+CN=a\\+b');
  });
});

describe("the agent's /pkcs11info DN (deliberately unescaped)", () => {
  it('is unchanged for ordinary and for hostile names', () => {
    expect(officialDnText(parseCertificate(underSpoofCa.certificate).subject)).toBe('C=TW,CN=王小明');
    expect(officialDnText(parseCertificate(spoof.certificate).subject)).toBe(`C=TW,CN=${SPOOF_CN}`);
  });
});

function tlv(tag: number, content: Buffer): Buffer {
  if (content.length >= 0x80) throw new Error('test names are short');
  return Buffer.concat([Buffer.from([tag, content.length]), content]);
}
