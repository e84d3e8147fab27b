import { verify, X509Certificate } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorCardSlots, LastError, RetCode, startAgent, type AgentServer, type Pkcs11Info, type SignResponse } from '../../src/agent/index.js';
import { EmulatorReader } from '../../src/pcsc/index.js';
import { createTestPki, createVirtualHiCOSCard, type VirtualHiCOSCard } from '../../src/testing/index.js';

const TRUSTED = 'https://gpkiapi.example.gov.tw';
const PIN = '246810';
let agent: AgentServer;
let reader: EmulatorReader;
let card: VirtualHiCOSCard;
let cards: Record<1 | 2, VirtualHiCOSCard>;

async function call(path: string, init: RequestInit & { origin?: string; host?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.origin) headers.set('Origin', init.origin);
  if (init.host) headers.set('Host', init.host);
  return fetch(`http://127.0.0.1:${agent.port}${path}`, { ...init, headers });
}

function signBody(fields: Record<string, string>): string {
  return `tbsPackage=${JSON.stringify({ func: 'MakeSignature', signatureType: 'PKCS1', tbsEncoding: 'NONE', hashAlgorithm: 'SHA256', withCardSN: 'true', ...fields })}`;
}

async function sign(fields: Record<string, string>, origin = TRUSTED): Promise<SignResponse> {
  const r = await call('/sign', { method: 'POST', body: signBody(fields), headers: { 'Content-Type': 'text/plain' }, origin });
  return (await r.json()) as SignResponse;
}

beforeAll(async () => {
  const pki = await createTestPki();
  cards = {
    1: await createVirtualHiCOSCard({ pki, generation: 1, pin: PIN, cardNumber: 'TP03000012340001' }),
    2: await createVirtualHiCOSCard({ pki, generation: 2, pin: PIN, cardNumber: 'TP03000012340002' }),
  };
  reader = new EmulatorReader({ name: 'Virtual PCD 00 00' });
  agent = await startAgent({ slots: new EmulatorCardSlots(reader), trusted: [TRUSTED], port: 0, confirmDomain: async (d) => d === 'ok.example.gov.tw' });
}, 60_000);

afterAll(async () => {
  await agent?.close();
});

function insert(generation: 1 | 2): void {
  if (reader.cardPresent) reader.remove();
  card = cards[generation];
  reader.insert(card);
}

describe('local agent: transport-level rules', () => {
  beforeEach(() => insert(1));

  it('answers / with its version and refuses requests not addressed to localhost', async () => {
    expect(await (await call('/')).text()).toMatch(/version:1\.3\.4\.3/);
    // fetch cannot forge Host; a DNS-rebinding page's request looks like this.
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: agent.port, path: '/pkcs11info', headers: { Host: 'evil.example.com:61161' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
  });

  it('answers a 50 MB body with 413 and a JSON error, then closes the connection without a reset', async () => {
    const size = 50 * 1024 * 1024;
    const outcome = await new Promise<{ head: string; body: string; reset: boolean }>((resolve, reject) => {
      const socket = connect(agent.port, '127.0.0.1');
      const received: Buffer[] = [];
      let reset = false;
      socket.on('data', (d: Buffer) => received.push(d));
      socket.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'ECONNRESET' || e.code === 'EPIPE') reset = true;
        else reject(e);
      });
      socket.on('close', () => {
        const text = Buffer.concat(received).toString('utf8');
        const split = text.indexOf('\r\n\r\n');
        resolve({ head: text.slice(0, split), body: text.slice(split + 4), reset });
      });
      socket.write(`POST /sign HTTP/1.1\r\nHost: localhost:${agent.port}\r\nOrigin: ${TRUSTED}\r\nContent-Type: text/plain\r\nContent-Length: ${size}\r\n\r\n`);
      const chunk = Buffer.alloc(1 << 20, 0x41);
      let sent = 0;
      const pump = (): void => {
        while (sent < size) {
          sent += chunk.length;
          if (!socket.write(chunk)) {
            socket.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
    expect(outcome.reset).toBe(false);
    expect(outcome.head).toMatch(/^HTTP\/1\.1 413 /);
    expect(outcome.head).toMatch(/content-type: application\/json/i);
    expect(outcome.head).toMatch(/connection: close/i);
    const body = outcome.body.includes('\r\n') && !outcome.body.startsWith('{') ? outcome.body.split('\r\n')[1] ?? '' : outcome.body;
    expect(JSON.parse(body)).toMatchObject({ ret_code: RetCode.BAD_PARAMETER, message: expect.stringMatching(/too large/) });
  }, 60_000);

  it('tells untrusted sites 0x76000031 and sends them no card data', async () => {
    const r = await call('/pkcs11info?withcert=true', { origin: 'https://evil.example.com' });
    const body = (await r.json()) as Pkcs11Info;
    expect(body.ret_code).toBe(RetCode.UNTRUSTED_DOMAIN);
    expect(JSON.stringify(body)).not.toContain('TP0300');
    const s = await sign({ tbs: 'x', pin: PIN }, 'https://evil.example.com');
    expect(s.ret_code).toBe(RetCode.UNTRUSTED_DOMAIN);
    expect(card.log.some((e) => e.command[1] === 0x20)).toBe(false);
  });

  it("an untrusted page's refusal has the whole /pkcs11info shape, and its preflight lets it read the refusal", async () => {
    const evil = 'https://evil.example.com';
    const info = (await (await call('/pkcs11info', { origin: evil })).json()) as Pkcs11Info;
    const trusted = (await (await call('/pkcs11info', { origin: TRUSTED })).json()) as Pkcs11Info;
    expect(Object.keys(info)).toEqual(Object.keys(trusted));
    expect(info).toMatchObject({ ret_code: RetCode.UNTRUSTED_DOMAIN, serverVersion: trusted.serverVersion, slots: [] });
    // A JSON POST is preflighted: without CORS headers on the preflight the page saw a network error, not 0x76000031.
    for (const path of ['/pkcs11info', '/sign']) {
      const pre = await call(path, { method: 'OPTIONS', origin: evil, headers: { 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type', 'Access-Control-Request-Private-Network': 'true' } });
      expect([path, pre.status, pre.headers.get('access-control-allow-origin')]).toEqual([path, 204, evil]);
      expect(pre.headers.get('access-control-allow-headers')).toMatch(/content-type/i);
      // Private Network Access is granted to trusted pages only.
      expect(pre.headers.get('access-control-allow-private-network')).toBeNull();
    }
    const refused = await call('/sign', { method: 'POST', origin: evil, body: JSON.stringify({ tbs: 'x', pin: PIN }), headers: { 'Content-Type': 'application/json' } });
    expect(refused.headers.get('access-control-allow-origin')).toBe(evil);
    expect(((await refused.json()) as SignResponse).ret_code).toBe(RetCode.UNTRUSTED_DOMAIN);
    // Other paths' preflights open nothing to it; a trusted page's asks get Private Network Access too.
    expect((await call('/', { method: 'OPTIONS', origin: evil })).headers.get('access-control-allow-origin')).toBeNull();
    const ok = await call('/sign', { method: 'OPTIONS', origin: TRUSTED, headers: { 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Private-Network': 'true' } });
    expect([ok.headers.get('access-control-allow-origin'), ok.headers.get('access-control-allow-private-network')]).toEqual([TRUSTED, 'true']);
    expect(card.log.some((e) => e.command[1] === 0x20)).toBe(false);
  });

  it("/p11Image.bmp refuses an untrusted page with an image carrying 0x76000031, which a canvas or an <img> can read", async () => {
    const evil = 'https://evil.example.com';
    // With the page's Origin (an <img crossorigin>), and as an <img> without crossorigin sends it (no Origin).
    const asked: Array<Record<string, string>> = [{ Origin: evil }, { 'Sec-Fetch-Site': 'cross-site' }];
    for (const headers of asked) {
      const r = await call('/p11Image.bmp?withcert=true', { headers });
      expect([r.status, r.headers.get('content-type')]).toEqual([200, 'image/bmp']);
      const bmp = Buffer.from(await r.arrayBuffer());
      expect([bmp.subarray(0, 2).toString('latin1'), bmp.readInt32LE(18), bmp.readUInt16LE(28)]).toEqual(['BM', 2000, 24]);
      const info = JSON.parse(bmp.subarray(54).toString('latin1').replace(/\0+$/, '')) as Pkcs11Info;
      expect(info).toMatchObject({ func: 'pkcs11info', ret_code: RetCode.UNTRUSTED_DOMAIN, slots: [] });
      expect(bmp.includes('TP0300')).toBe(false);
    }
  });

  it('reads a request path with doubled slashes as the path (a page that joined the base URL and "/pkcs11info")', async () => {
    const info = await call('//pkcs11info', { origin: TRUSTED });
    expect(info.headers.get('content-type')).toMatch(/application\/json/);
    expect(((await info.json()) as Pkcs11Info).ret_code).toBe(0);
    const root = await call('//');
    expect([root.status, await root.text()]).toEqual([200, expect.stringContaining('twpki local agent')]);
    const other = await call('//nothing-here');
    expect(other.status).toBe(404);
  });

  it('answers an empty /sign body with 0x7600000C (no tbsPackage), whatever its content type', async () => {
    for (const type of ['text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', undefined]) {
      const r = await call('/sign', { method: 'POST', origin: TRUSTED, body: '', headers: type === undefined ? {} : { 'Content-Type': type } });
      expect([type, ((await r.json()) as SignResponse).ret_code]).toEqual([type, RetCode.BAD_PARAMETER]);
    }
  });

  it('answers a program without Origin, but not a browser request that left Origin out (Sec-Fetch-Site)', async () => {
    // curl, a test harness: no Origin and no Sec-Fetch-Site.
    expect(((await (await call('/pkcs11info')).json()) as Pkcs11Info).ret_code).toBe(0);
    // The user typing the URL into the address bar: Sec-Fetch-Site none.
    expect(((await (await call('/pkcs11info', { headers: { 'Sec-Fetch-Site': 'none' } })).json()) as Pkcs11Info).ret_code).toBe(0);
    // A page's <img>/<script> GET or a form POST from elsewhere, without Origin: refused, no card data, no VERIFY.
    for (const site of ['cross-site', 'same-site']) {
      const info = (await (await call('/pkcs11info?withcert=true', { headers: { 'Sec-Fetch-Site': site } })).json()) as Pkcs11Info;
      expect([site, info.ret_code]).toEqual([site, RetCode.UNTRUSTED_DOMAIN]);
      expect(JSON.stringify(info)).not.toContain('TP0300');
      const r = await call('/sign', { method: 'POST', body: signBody({ tbs: 'x', pin: PIN }), headers: { 'Content-Type': 'text/plain', 'Sec-Fetch-Site': site } });
      expect(((await r.json()) as SignResponse).ret_code).toBe(RetCode.UNTRUSTED_DOMAIN);
    }
    expect(card.log.some((e) => e.command[1] === 0x20)).toBe(false);
  });

  it("believes a relayed page origin only from the agent's own pages, under any of its names, on its own port", async () => {
    const relayed = (origin: string) =>
      call('/pkcs11info', { origin, headers: { 'X-Twpki-Caller-Origin': TRUSTED } }).then(async (r) => ((await r.json()) as Pkcs11Info).ret_code);
    for (const self of [`http://localhost:${agent.port}`, `http://127.0.0.1:${agent.port}`, `http://[::1]:${agent.port}`]) {
      expect(await relayed(self), self).toBe(0);
    }
    // Another local service, or a look-alike name, relaying a trusted origin is not believed.
    for (const other of [`http://127.0.0.1:${agent.port + 1}`, `http://localhost.evil.example:${agent.port}`, `https://127.0.0.1:${agent.port}`]) {
      expect(await relayed(other), other).toBe(RetCode.UNTRUSTED_DOMAIN);
    }
  });

  it('serves the popup bridge and decides /addDomain through the operator callback', async () => {
    const popup = await (await call('/popupForm')).text();
    expect(popup).toContain("func: 'getTbs'");
    expect(popup).toContain("'/pkcs11info?withcert=true'");
    const refused = await (await call('/addDomain?domain=evil.example.com')).text();
    expect(refused).toContain(JSON.stringify(JSON.stringify({ ret_code: RetCode.UNTRUSTED_DOMAIN })));
    const accepted = await (await call('/addDomain?domain=ok.example.gov.tw')).text();
    expect(accepted).toContain(JSON.stringify(JSON.stringify({ ret_code: 0 })));
    const info = (await (await call('/pkcs11info', { origin: 'https://ok.example.gov.tw' })).json()) as Pkcs11Info;
    expect(info.ret_code).toBe(0);
  });
});

describe.each([1, 2] as const)('local agent with a Gen%i virtual card', (generation) => {
  beforeEach(() => insert(generation));

  it('/pkcs11info lists the token with its card number and certificates', async () => {
    const r = await call('/pkcs11info', { origin: TRUSTED });
    expect(r.headers.get('access-control-allow-origin')).toBe(TRUSTED);
    const info = (await r.json()) as Pkcs11Info;
    expect(info).toMatchObject({ func: 'pkcs11info', ret_code: 0, last_error: 0, serverVersion: '1.3.4.3' });
    const token = info.slots[0]?.token;
    if (!token || typeof token !== 'object') throw new Error('no token');
    expect(token.serialNumber).toBe(card.cardNumber);
    // Every certificate the card holds; the user's first, so the first entry not labelled "CA Cert" is cert1.
    expect(token.certs.map((c) => c.label)).toEqual(['cert1', 'cert2', 'CA Cert', 'ROOTCACert']);
    expect(token.certs.map((c) => c.usage)).toEqual(['digitalSignature', 'keyEncipherment|dataEncipherment', 'keyCertSign|cRLSign', 'keyCertSign|cRLSign']);
    const [cert1, , caCert] = token.certs;
    // The "CA Cert" entry is the CA that issued the signing certificate.
    expect(caCert?.subjectDN).toBe(cert1?.issuerDN);
    expect(token.certs[0]?.subjectID).toMatch(/^\d{4}$/);
    // Official DN form: certificate order, ',' with no space; pages split on ',' then '='.
    expect(cert1?.subjectDN).toMatch(/^C=TW,[^ ]/);
    expect(cert1?.subjectDN).not.toContain(', ');
    const parts = Object.fromEntries((cert1?.subjectDN ?? '').split(',').map((p) => p.split('=') as [string, string]));
    expect(parts.CN).toBe(cert1?.subjectCN);
    expect(parts.serialNumber).toMatch(/^\w{16}$/);
    expect(parts.C).toBe('TW');
    expect(token.certs[0]?.certb64).toBeUndefined();
    const withCert = (await (await call('/pkcs11info?withcert=true', { origin: TRUSTED })).json()) as Pkcs11Info;
    const cert = (withCert.slots[0]?.token as { certs: Array<{ certb64?: string; sn: string }> }).certs[0];
    expect(new X509Certificate(Buffer.from(cert?.certb64 ?? '', 'base64')).serialNumber).toBe(cert?.sn);
  });

  it('lists the signing certificate before the encryption one whatever order the card stores them in', async () => {
    const slots = new EmulatorCardSlots(reader);
    try {
      const info = await slots.withCard({ slotID: 0, description: reader.name, cardPresent: true }, (c) => c.info());
      const [sign, keyx, ...rest] = info.certificates;
      expect([sign?.usage, keyx?.usage]).toEqual(['SIGN', 'KEYX']);
      const { orderedCertificates } = await import('../../src/agent/pkcs11-info.js');
      const stored = [keyx, ...rest, sign].filter((c) => c !== undefined);
      expect(orderedCertificates(stored).map((e) => e.label)).toEqual(['cert1', 'cert2', 'CA Cert', 'ROOTCACert']);
    } finally {
      await slots.close();
    }
  });

  it('/sign PKCS1 returns a signature that verifies with the returned certificate', async () => {
    const tbs = 'twpki-login/1\norigin=https://gpkiapi.example.gov.tw\nchallenge=abc';
    const s = await sign({ tbs, pin: PIN });
    expect(s).toMatchObject({ func: 'sign', ret_code: 0, last_error: 0, cardSN: card.cardNumber });
    const pub = new X509Certificate(Buffer.from(s.certb64, 'base64')).publicKey;
    expect(verify('sha256', Buffer.from(tbs), pub, Buffer.from(s.signature, 'base64'))).toBe(true);
    expect(JSON.stringify(s)).not.toContain(PIN);
  });

  it('/sign PKCS7 returns SignedData with signed attributes, the card number and the nonce', async () => {
    const r = await call('/sign', {
      method: 'POST',
      origin: TRUSTED,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        tbsPackage: JSON.stringify({ func: 'MakeSignature', signatureType: 'PKCS7', tbs: 'aGVsbG8+d29ybGQ/', tbsEncoding: 'base64', hashAlgorithm: 'SHA256', withCardSN: 'true', pin: encodeURIComponent(PIN), nonce: 'n-123' }),
      }).toString(),
    });
    const s = (await r.json()) as SignResponse;
    expect(s.ret_code).toBe(0);
    const info = pkijs.ContentInfo.fromBER(Buffer.from(s.signature, 'base64'));
    const sd = new pkijs.SignedData({ schema: info.content });
    expect(Buffer.from(sd.encapContentInfo.eContent?.getValue() ?? new ArrayBuffer(0)).toString()).toBe('hello>world?');
    const attrs = sd.signerInfos[0]?.signedAttrs?.attributes.map((a) => a.type) ?? [];
    expect(attrs).toEqual(expect.arrayContaining(['1.2.840.113549.1.9.3', '1.2.840.113549.1.9.4', '1.2.840.113549.1.9.5', '2.16.886.1.100.2.204', '1.2.840.113549.1.9.25.3']));
    expect(await sd.verify({ signer: 0, checkChain: false })).toBe(true);
  });

  it('counts wrong PINs down in last_error and lets the user\'s third attempt through', async () => {
    const first = await sign({ tbs: 'x', pin: '999999' });
    expect(first).toMatchObject({ ret_code: RetCode.CARD_LOGIN_FAILED, last_error: LastError.PIN_INCORRECT_2_LEFT });
    expect(first.last_error).toBe(-2147483646);
    const second = await sign({ tbs: 'x', pin: '999999' });
    expect(second).toMatchObject({ ret_code: RetCode.CARD_LOGIN_FAILED, last_error: LastError.PIN_INCORRECT_1_LEFT });
    // The page has shown 剩餘一次機會; the user types the right PIN and it goes to the card.
    const third = await sign({ tbs: 'third', pin: PIN });
    expect(third).toMatchObject({ ret_code: 0, last_error: 0 });
    const pub = new X509Certificate(Buffer.from(third.certb64, 'base64')).publicKey;
    expect(verify('sha256', Buffer.from('third'), pub, Buffer.from(third.signature, 'base64'))).toBe(true);
    expect(card.pinTriesLeft).toBe(3);
    for (const r of [first, second]) expect(JSON.stringify(r)).not.toContain('999999');
  });

  it('with guardLastTry the third attempt is refused without a VERIFY', async () => {
    const guarded = await startAgent({ slots: new EmulatorCardSlots(reader), trusted: [TRUSTED], port: 0, guardLastTry: true });
    try {
      const post = async (pin: string): Promise<SignResponse> =>
        (await (await fetch(`${guarded.url.replace('localhost', '127.0.0.1')}/sign`, { method: 'POST', body: signBody({ tbs: 'x', pin }), headers: { Origin: TRUSTED } })).json()) as SignResponse;
      await post('999999');
      expect((await post('999999')).last_error).toBe(LastError.PIN_INCORRECT_1_LEFT);
      const verifiesBefore = card.log.filter((e) => e.command[1] === 0x20).length;
      const third = await post(PIN);
      expect(third).toMatchObject({ ret_code: RetCode.CARD_LOGIN_FAILED, last_error: LastError.PIN_INCORRECT_1_LEFT });
      expect(third.message).toMatch(/one try left/);
      expect(card.log.filter((e) => e.command[1] === 0x20).length).toBe(verifiesBefore);
      expect(card.pinTriesLeft).toBe(1);
    } finally {
      await guarded.close();
      // Restore the card for the other tests (the ungarded agent lets the right PIN through).
      expect((await sign({ tbs: 'x', pin: PIN })).ret_code).toBe(0);
    }
  });

  it('rejects a PIN of the wrong length with 0xA2 and sends nothing', async () => {
    const before = card.log.length;
    const s = await sign({ tbs: 'x', pin: '12' });
    expect(s).toMatchObject({ ret_code: RetCode.CARD_LOGIN_FAILED, last_error: LastError.PIN_LEN_RANGE });
    expect(card.log.slice(before).some((e) => e.command[1] === 0x20)).toBe(false);
  });
});

describe('local agent: request validation', () => {
  beforeEach(() => insert(1));

  it('refuses SHA-1 unless enabled, malformed packages, and serves /p11Image.bmp', async () => {
    expect((await sign({ tbs: 'x', pin: PIN, hashAlgorithm: 'SHA1' })).message).toMatch(/SHA1/);
    const bad = await call('/sign', { method: 'POST', origin: TRUSTED, body: 'tbsPackage={not json' });
    expect(((await bad.json()) as SignResponse).message).toMatch(/JSON/);
    const bmp = Buffer.from(await (await call('/p11Image.bmp', { origin: TRUSTED })).arrayBuffer());
    expect(bmp.subarray(0, 2).toString()).toBe('BM');
    expect(bmp.readInt32LE(18)).toBe(2000);
    const json = bmp.subarray(54).toString('utf8').replace(/\0+$/, '');
    expect((JSON.parse(json) as Pkcs11Info).func).toBe('pkcs11info');
  });

  it('answers a request it cannot use with every field of a signing answer, the card\'s ones empty', async () => {
    const refusals = [
      'tbsPackage={not json',
      `tbsPackage=${encodeURIComponent(JSON.stringify({ tbs: 'x' }))}`,
      `tbsPackage=${encodeURIComponent(JSON.stringify({ pin: PIN }))}`,
    ];
    for (const body of refusals) {
      const answer = (await (await call('/sign', { method: 'POST', origin: TRUSTED, body })).json()) as SignResponse;
      expect(answer).toEqual({
        func: 'sign',
        ret_code: expect.any(Number),
        last_error: 0,
        message: expect.any(String),
        message2: '',
        signature: '',
        certb64: '',
        cardSN: '',
        version: expect.any(String),
      });
      expect(answer.ret_code).not.toBe(0);
    }
    const untrusted = (await (await call('/sign', { method: 'POST', origin: 'https://evil.example', body: refusals[1] })).json()) as SignResponse;
    expect(untrusted).toMatchObject({ func: 'sign', ret_code: RetCode.UNTRUSTED_DOMAIN, signature: '', certb64: '', cardSN: '', message2: '' });
    const missingPin = (await (await call('/sign', { method: 'POST', origin: TRUSTED, body: refusals[1] })).json()) as SignResponse;
    expect([missingPin.ret_code, missingPin.message]).toEqual([RetCode.NO_PIN, 'pin is missing']);
  });
});
