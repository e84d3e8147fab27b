import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorCardSlots, RetCode, startAgent, type AgentServer, type Pkcs11Info, type Pkcs11TokenInfo, type SignResponse } from '../../src/agent/index.js';
import { EmulatorReader } from '../../src/pcsc/index.js';
import { createTestPki, createVirtualHiCOSCard, VirtualHiCOSCard, virtualCardCredentials, type TestPki } from '../../src/testing/index.js';

// What hand-built pages send and what pages on other ports or with other certificates meet, through the HTTP API.
const TRUSTED = 'https://gpkiapi.example.gov.tw';
const PIN = '246810';
const CARD_NUMBER_ATTRIBUTE = '2.16.886.1.100.2.204';
const RANDOM_NONCE = '1.2.840.113549.1.9.25.3';

let pki: TestPki;
let reader: EmulatorReader;
let card: VirtualHiCOSCard;
let agent: AgentServer;
/** The domains the operator's callback was asked about, in order. */
const asked: string[] = [];

async function call(path: string, init: RequestInit & { origin?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.origin) headers.set('Origin', init.origin);
  return fetch(`http://127.0.0.1:${agent.port}${path}`, { ...init, headers });
}

/** POSTs a tbsPackage written as the JSON text given (so numbers can be spelt as a page wrote them). */
async function signJson(json: string): Promise<SignResponse> {
  const r = await call('/sign', { method: 'POST', origin: TRUSTED, headers: { 'Content-Type': 'text/plain' }, body: `tbsPackage=${json}` });
  return (await r.json()) as SignResponse;
}

/** A PKCS7 package built as a page's JSON.stringify would, with `extra` members as JSON text appended. */
function pkcs7Package(extra: string): string {
  const base = JSON.stringify({ func: 'MakeSignature', signatureType: 'PKCS7', tbs: 'hello', tbsEncoding: 'NONE', hashAlgorithm: 'SHA256', pin: PIN });
  return `${base.slice(0, -1)},${extra}}`;
}

/** The signed attributes of a PKCS7 answer by type, after checking that it verifies. */
async function signedAttributes(answer: SignResponse): Promise<Map<string, pkijs.Attribute>> {
  expect([answer.ret_code, answer.message]).toEqual([0, '']);
  const sd = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(Buffer.from(answer.signature, 'base64')).content });
  expect(await sd.verify({ signer: 0, checkChain: false })).toBe(true);
  return new Map((sd.signerInfos[0]?.signedAttrs?.attributes ?? []).map((a) => [a.type, a]));
}

/** An attribute's first value (an OCTET STRING) as UTF-8 text. */
function octets(attribute: pkijs.Attribute | undefined): string {
  const value = attribute?.values[0] as { valueBlock?: { valueHexView?: Uint8Array } } | undefined;
  return Buffer.from(value?.valueBlock?.valueHexView ?? []).toString('utf8');
}

function verifyCount(c: VirtualHiCOSCard): number {
  return c.log.filter((e) => e.command[1] === 0x20).length;
}

beforeAll(async () => {
  pki = await createTestPki({ authorities: ['moica'] });
  card = await createVirtualHiCOSCard({ pki, pin: PIN, cardNumber: 'TP03000012340007' });
  reader = new EmulatorReader({ name: 'Virtual PCD 00 00' });
  reader.insert(card);
  agent = await startAgent({
    slots: new EmulatorCardSlots(reader),
    trusted: [TRUSTED],
    port: 0,
    confirmDomain: (d) => {
      asked.push(d);
      return Promise.resolve(true);
    },
  });
}, 60_000);

afterAll(async () => {
  await agent?.close();
});

describe('/sign: a tbsPackage built with JSON.stringify', () => {
  it('takes a boolean withCardSN as "true"/"false" (the card number returned and signed, or neither), no other type', async () => {
    const withSn = await signJson(pkcs7Package('"withCardSN":true'));
    expect(withSn.cardSN).toBe('TP03000012340007');
    expect(octets((await signedAttributes(withSn)).get(CARD_NUMBER_ATTRIBUTE))).toBe('TP03000012340007');

    const without = await signJson(pkcs7Package('"withCardSN":false'));
    expect(without.cardSN).toBe('');
    expect((await signedAttributes(without)).has(CARD_NUMBER_ATTRIBUTE)).toBe(false);

    // A number or an object is not guessed at: 0x7600000C naming the field, before any VERIFY.
    const before = verifyCount(card);
    for (const extra of ['"withCardSN":1', '"withCardSN":{}', '"withCardSN":["true"]']) {
      expect(await signJson(pkcs7Package(extra)), extra).toMatchObject({
        ret_code: RetCode.BAD_PARAMETER,
        message: 'withCardSN must be "true", "false" or a boolean',
        signature: '',
      });
    }
    expect(verifyCount(card)).toBe(before);
  });

  it('signs a number nonce as the digits the page sent, also past what a double holds; no other type', async () => {
    // Date.now(), a 20-digit server-made nonce (as a double it would be 12345678901234567000), a Math.random().
    for (const nonce of ['1700000000123', '12345678901234567890', '0.8414709848078965']) {
      const attributes = await signedAttributes(await signJson(pkcs7Package(`"nonce":${nonce}`)));
      expect(octets(attributes.get(RANDOM_NONCE)), nonce).toBe(nonce);
    }
    // The member JSON.parse keeps: the last nonce of the package itself, whatever nested members or strings say.
    const tricky = String.raw`"extra":{"nonce":1,"s":"\"nonce\":2"},"list":[{"nonce":3}],"non\u0063e" : 4 ,"nonce":  56 `;
    expect(octets((await signedAttributes(await signJson(pkcs7Package(tricky)))).get(RANDOM_NONCE))).toBe('56');
    expect(octets((await signedAttributes(await signJson(pkcs7Package(String.raw`"nonce":4,"non\u0063e":78`)))).get(RANDOM_NONCE))).toBe('78');
    // What JSON.stringify writes for a number is what the page's String(nonce) is.
    const n = 1e21;
    const stringified = JSON.stringify({ func: 'MakeSignature', signatureType: 'PKCS7', tbs: 'x', pin: PIN, nonce: n });
    expect(octets((await signedAttributes(await signJson(stringified))).get(RANDOM_NONCE))).toBe(String(n));

    const before = verifyCount(card);
    for (const extra of ['"nonce":{}', '"nonce":[1]', '"nonce":true']) {
      expect(await signJson(pkcs7Package(extra)), extra).toMatchObject({ ret_code: RetCode.BAD_PARAMETER, message: 'nonce must be a string or a number', signature: '' });
    }
    // NaN is not JSON (JSON.stringify writes null for it): the package is refused as such.
    expect(await signJson(pkcs7Package('"nonce":NaN'))).toMatchObject({ ret_code: RetCode.BAD_JSON, signature: '' });
    expect(verifyCount(card)).toBe(before);
  });
});

describe('/addDomain with host:port', () => {
  // The page posts the string {"ret_code":N} to its opener.
  const posted = (retCode: number): string => JSON.stringify(JSON.stringify({ ret_code: retCode }));
  const addDomain = async (domain: string): Promise<string> => (await call(`/addDomain?domain=${encodeURIComponent(domain)}`)).text();
  const infoRetCode = async (origin: string): Promise<number> => ((await (await call('/pkcs11info', { origin })).json()) as Pkcs11Info).ret_code;

  it('trusts that host on that port only (http or https), not the bare host nor its other ports', async () => {
    expect(await addDomain('gov.example:8443')).toContain(posted(0));
    expect(agent.trusted.list()).toContain('gov.example:8443');
    expect(await infoRetCode('https://gov.example:8443')).toBe(0);
    expect(await infoRetCode('http://gov.example:8443')).toBe(0);
    for (const other of ['https://gov.example', 'http://gov.example', 'https://gov.example:9443', 'https://www.gov.example:8443', 'https://gov.example.evil:8443']) {
      expect(await infoRetCode(other), other).toBe(RetCode.UNTRUSTED_DOMAIN);
    }
    // A default port given with the host is that scheme's origin, and no other port.
    expect(await addDomain('tls.example:443')).toContain(posted(0));
    expect(await infoRetCode('https://tls.example')).toBe(0);
    expect(await infoRetCode('https://tls.example:8443')).toBe(RetCode.UNTRUSTED_DOMAIN);
    // A bare host still means any port, as before; a host:port entry did not change that.
    expect(await addDomain('bare.example')).toContain(posted(0));
    expect(await infoRetCode('https://bare.example:8443')).toBe(0);
  });

  it('refuses a bad port or an IPv6 address with its reason, without asking the operator', async () => {
    asked.length = 0;
    const badPort = 'the port of a host:port entry is a number from 1 to 65535 written in digits without a leading zero';
    for (const [domain, reason] of [
      ['gov.example:0', badPort],
      ['gov.example:65536', badPort],
      ['gov.example:08443', badPort],
      ['gov.example:', badPort],
      ['gov.example:84a3', badPort],
      ['gov.example:+8443', badPort],
      ['[::1]:8443', 'an IPv6 address is trusted by its origin only'],
      ['[2001:db8::1]', 'an IPv6 address is trusted by its origin only'],
      ['2001:db8::1', 'an IPv6 address is trusted by its origin only'],
      [':8443', 'not a host name or origin'],
      ['ftp://gov.example', 'not a host name or origin (http or https)'],
      ['wss://gov.example:8443', 'not a host name or origin (http or https)'],
      ['127.1:8443', 'is read as 127.0.0.1; trust 127.0.0.1:8443 instead'],
    ] as const) {
      const page = await addDomain(domain);
      expect(page, domain).toContain(posted(RetCode.UNTRUSTED_DOMAIN));
      expect(page, domain).toContain(reason);
    }
    expect(asked).toEqual([]);
    expect(agent.trusted.list().some((e) => e.includes('[') || e.endsWith(':0'))).toBe(false);
  });
});

describe('/pkcs11info usage of a signing certificate that also allows key encipherment', () => {
  async function tokenOf(c: VirtualHiCOSCard): Promise<Pkcs11TokenInfo> {
    const otherReader = new EmulatorReader({ name: 'Virtual PCD 00 01' });
    otherReader.insert(c);
    const other = await startAgent({ slots: new EmulatorCardSlots(otherReader), port: 0 });
    try {
      const info = (await (await fetch(`http://127.0.0.1:${other.port}/pkcs11info`)).json()) as Pkcs11Info;
      const token = info.slots[0]?.token;
      if (!token || typeof token !== 'object') throw new Error('no token');
      return token;
    } finally {
      await other.close();
    }
  }

  it('lists cert1 as digitalSignature, while the encryption certificate keeps its encipherment bits', async () => {
    const holder = await pki.issueCardHolder({ authority: 'moica' });
    const subject = 'C=TW, CN=測試, serialNumber=0000000000001234';
    const [signBoth, keyxBoth] = await Promise.all([
      pki.issueCertificate({ issuer: pki.issuer('moica'), subject, keyUsage: ['digitalSignature', 'keyEncipherment'] }),
      pki.issueCertificate({ issuer: pki.issuer('moica'), subject, keyUsage: ['digitalSignature', 'keyEncipherment'] }),
    ]);
    const credentials = virtualCardCredentials(holder);
    const both = new VirtualHiCOSCard({ pin: PIN, credentials: { ...credentials, sign: { certificate: signBoth.certificate, privateKey: signBoth.privateKey } } });
    const token = await tokenOf(both);
    expect(token.certs.map((c) => [c.label, c.usage])).toEqual([
      ['cert1', 'digitalSignature'],
      ['cert2', 'keyEncipherment|dataEncipherment'],
      ['CA Cert', 'keyCertSign|cRLSign'],
      ['ROOTCACert', 'keyCertSign|cRLSign'],
    ]);
    // The encryption key's certificate with both bits is still named by its encipherment: it is not the one to sign with.
    const keyx = new VirtualHiCOSCard({ pin: PIN, credentials: { ...credentials, keyx: { certificate: keyxBoth.certificate, privateKey: keyxBoth.privateKey } } });
    expect((await tokenOf(keyx)).certs.map((c) => c.usage).slice(0, 2)).toEqual(['digitalSignature', 'keyEncipherment']);
  });
});
