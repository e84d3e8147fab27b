import { describe, expect, it, vi } from 'vitest';
import { RetCode, SignRequestError, TrustedOrigins, parseSignRequest } from '../../src/agent/index.js';

const pkg = (fields: Record<string, string>): string =>
  JSON.stringify({ func: 'MakeSignature', signatureType: 'PKCS1', tbsEncoding: 'NONE', hashAlgorithm: 'SHA256', pin: '123456', tbs: 'hi', ...fields });

describe('parseSignRequest', () => {
  it('reads text/plain tbsPackage=<JSON> as is', () => {
    const r = parseSignRequest(`tbsPackage=${pkg({ tbs: 'a+b c%d' })}`, 'text/plain');
    expect(Buffer.from(r.tbs).toString()).toBe('a+b c%d');
    expect(r.signatureType).toBe('PKCS1');
    expect(r.hash).toBe('sha256');
    expect(r.pin.toString()).toBe('123456');
  });

  it('reads form-encoded bodies, keeping + in base64 and undoing encodeURIComponent on values', () => {
    const body = new URLSearchParams({ tbsPackage: pkg({ tbs: 'aGVsbG8+d29ybGQ/', tbsEncoding: 'base64', pin: encodeURIComponent('12#4@6') }) }).toString();
    const r = parseSignRequest(body, 'application/x-www-form-urlencoded');
    expect(Buffer.from(r.tbs).toString()).toBe('hello>world?');
    expect(r.pin.toString()).toBe('12#4@6');
  });

  it('accepts base64 whose + arrived as %2B or as a space', () => {
    expect(Buffer.from(parseSignRequest(`tbsPackage=${pkg({ tbs: 'aGVsbG8%2Bd29ybGQ/', tbsEncoding: 'base64' })}`).tbs).toString()).toBe('hello>world?');
    expect(Buffer.from(parseSignRequest(`tbsPackage=${pkg({ tbs: 'aGVsbG8 d29ybGQ/', tbsEncoding: 'base64' })}`).tbs).toString()).toBe('hello>world?');
  });

  it('defaults to PKCS7 and SHA256, reads withCardSN, nonce and slotDescription', () => {
    const r = parseSignRequest(`tbsPackage=${JSON.stringify({ tbs: 'x', pin: '123456', withCardSN: 'true', nonce: 'n1', slotDescription: 'R' })}`);
    expect(r).toMatchObject({ signatureType: 'PKCS7', hash: 'sha256', withCardSN: true, slotDescription: 'R' });
    expect(Buffer.from(r.nonce ?? []).toString()).toBe('n1');
  });

  it('treats empty optional fields as absent and ignores unknown fields, as pages send them', () => {
    const r = parseSignRequest(
      `tbsPackage=${JSON.stringify({ func: 'MakeSignature', signatureType: '', tbs: 'x', tbsEncoding: '', hashAlgorithm: '', withCardSN: '', pin: '123456', nonce: '', slotDescription: '', withSCAP: 'true', pageExtra: { a: 1 } })}`,
      'text/plain',
    );
    expect(r).toMatchObject({ signatureType: 'PKCS7', hash: 'sha256', withCardSN: false, nonce: undefined, slotDescription: undefined });
    expect(Buffer.from(r.tbs).toString()).toBe('x');
  });

  it('reads a form-encoded body sent as text/plain, with %2B in base64 tbs and an encoded PIN', () => {
    const json = JSON.stringify({ tbs: encodeURIComponent('aGVsbG8+d29ybGQ/'), tbsEncoding: 'base64', pin: encodeURIComponent('12+4%6') });
    const r = parseSignRequest(`tbsPackage=${encodeURIComponent(json)}`, 'text/plain;charset=UTF-8');
    expect(Buffer.from(r.tbs).toString()).toBe('hello>world?');
    expect(r.pin.toString()).toBe('12+4%6');
  });

  it.each([
    ['', RetCode.BAD_PARAMETER],
    ['  \r\n', RetCode.BAD_PARAMETER],
    ['oops', RetCode.BAD_JSON],
    ['tbsPackage={oops', RetCode.BAD_JSON],
    [`tbsPackage=${pkg({ func: 'Other' })}`, RetCode.UNSUPPORTED_FUNCTION],
    [`tbsPackage=${pkg({ signatureType: 'XML' })}`, RetCode.BAD_PARAMETER],
    [`tbsPackage=${pkg({ tbs: '' })}`, RetCode.BAD_PARAMETER],
    [`tbsPackage=${pkg({ tbs: '!!', tbsEncoding: 'base64' })}`, RetCode.BASE64_ERROR],
    [`tbsPackage=${pkg({ pin: '' })}`, RetCode.NO_PIN],
  ])('refuses %j with the official ret_code', (body, retCode) => {
    expect(() => parseSignRequest(body)).toThrow(expect.objectContaining({ retCode }));
  });

  it.each([
    ['', /empty: no tbsPackage/],
    ['oops', /not tbsPackage/],
    ['tbsPackage={oops', /not valid JSON/],
    ['tbsPackage=[1]', /JSON object/],
    [`tbsPackage=${pkg({ func: 'Other' })}`, /unsupported func/],
    [`tbsPackage=${pkg({ signatureType: 'XML' })}`, /signatureType/],
    [`tbsPackage=${pkg({ hashAlgorithm: 'MD5' })}`, /hashAlgorithm/],
    [`tbsPackage=${pkg({ tbsEncoding: 'hex' })}`, /tbsEncoding/],
    [`tbsPackage=${pkg({ tbs: '' })}`, /tbs is missing/],
    [`tbsPackage=${pkg({ tbs: '!!', tbsEncoding: 'base64' })}`, /not base64/],
    [`tbsPackage=${JSON.stringify({ tbs: 'x' })}`, /pin is missing/],
    [`tbsPackage=${JSON.stringify({ tbs: 'x', pin: 123456 })}`, /pin must be a string/],
  ])('refuses %j with a typed reason that never shows the PIN', (body, reason) => {
    let caught: unknown;
    try {
      parseSignRequest(body);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SignRequestError);
    expect((caught as Error).message).toMatch(reason);
    expect((caught as Error).message).not.toContain('123456');
  });
});

describe('TrustedOrigins', () => {
  it('matches origins exactly and bare hosts on any scheme or port, never subdomains', () => {
    const t = new TrustedOrigins(['https://gpkiapi.nat.gov.tw', 'moica.example.gov.tw']);
    expect(t.isTrusted('https://gpkiapi.nat.gov.tw')).toBe(true);
    expect(t.isTrusted('http://gpkiapi.nat.gov.tw')).toBe(false);
    expect(t.isTrusted('https://gpkiapi.nat.gov.tw:8443')).toBe(false);
    expect(t.isTrusted('http://moica.example.gov.tw:8080')).toBe(true);
    expect(t.isTrusted('https://evil.moica.example.gov.tw')).toBe(false);
    expect(t.isTrusted('https://moica.example.gov.tw.evil.com')).toBe(false);
    expect(t.isTrusted('null')).toBe(false);
    expect(t.isTrusted('file:///x')).toBe(false);
  });

  it("matches a host:port entry on a scheme's default port with that scheme only", () => {
    // `gov.example:443` is the https site: plain http on port 443 is another origin, one a network attacker can
    // serve, and trusting it would trust what the operator did not name.
    const t = new TrustedOrigins(['tls.example:443', 'plain.example:80', 'both.example:8443']);
    expect(t.isTrusted('https://tls.example')).toBe(true);
    expect(t.isTrusted('https://tls.example:443')).toBe(true);
    expect(t.isTrusted('http://tls.example:443')).toBe(false);
    expect(t.isTrusted('http://plain.example')).toBe(true);
    expect(t.isTrusted('https://plain.example:80')).toBe(false);
    // Another port keeps the documented "http or https".
    expect(t.isTrusted('https://both.example:8443')).toBe(true);
    expect(t.isTrusted('http://both.example:8443')).toBe(true);
  });

  it('refuses entries that are neither an origin nor a host name', () => {
    const t = new TrustedOrigins();
    expect(() => t.add('evil.com/<script>')).toThrow(TypeError);
    expect(() => t.add('')).toThrow(TypeError);
    expect(t.add('EXAMPLE.gov.tw')).toBe('example.gov.tw');
  });

  it('refuses a bare host that browsers read as another host, naming the one to write', () => {
    // The URL parser reads these as IPv4 addresses: the entry as typed would match no Origin header.
    for (const [entry, host] of [['48151623', '2.222.188.71'], ['127.1', '127.0.0.1'], ['0x7f.0.0.1', '127.0.0.1'], ['010.0.0.1', '8.0.0.1']] as const) {
      const t = new TrustedOrigins();
      expect(() => t.add(entry), entry).toThrow(new TypeError(`not a host name as browsers write it: "${entry}" is read as ${host}; trust ${host} instead`));
      expect(t.list()).toEqual([]);
      expect(t.add(host)).toBe(host);
      expect(new TrustedOrigins([host]).isTrusted(`http://${host}:8080`)).toBe(true);
    }
    expect(() => new TrustedOrigins().add('999.1.1.1')).toThrow('not a host name or origin: "999.1.1.1"');
  });

  it('refuses a URL with more than an origin rather than trusting its whole site', () => {
    for (const entry of ['https://a.gov.tw/login', 'https://a.gov.tw/?x=1', 'https://a.gov.tw/#top', 'https://user@a.gov.tw', 'https://u:p@a.gov.tw/']) {
      expect(() => new TrustedOrigins().add(entry), entry).toThrow(
        new TypeError(`an origin is a scheme, a host and a port only, without a path, query or user name: ${JSON.stringify(entry)} (its origin is https://a.gov.tw)`),
      );
    }
    // The origin as the Origin header writes it, and the forms that mean exactly that.
    const t = new TrustedOrigins();
    expect(['https://a.gov.tw', 'https://a.gov.tw/', 'HTTPS://A.GOV.TW:443', ' https://a.gov.tw '].map((e) => t.add(e))).toEqual(Array(4).fill('https://a.gov.tw'));
    expect(t.isTrusted('https://a.gov.tw')).toBe(true);
    expect(() => t.add('https://')).toThrow('not a host name or origin: "https://"');
  });
});

describe('parseSignRequest: multipart/form-data (a page\'s FormData)', () => {
  const multipart = async (fields: Record<string, string>): Promise<{ body: string; contentType: string }> => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    const request = new Request('http://localhost/', { method: 'POST', body: form });
    return { body: await request.text(), contentType: request.headers.get('content-type') ?? '' };
  };

  it('reads the tbsPackage field as the page gave it, among other fields', async () => {
    const { body, contentType } = await multipart({ other: 'x', tbsPackage: pkg({ tbs: 'a+b 中文 %zz &=', withCardSN: 'true' }), after: 'y' });
    expect(contentType).toMatch(/^multipart\/form-data; boundary=/);
    const r = parseSignRequest(body, contentType);
    expect(Buffer.from(r.tbs).toString()).toBe('a+b 中文 %zz &=');
    expect(r.withCardSN).toBe(true);
  });

  it('refuses a multipart body without the field or without a boundary with 0x7600000C, not as bad JSON', async () => {
    const { body, contentType } = await multipart({ tbsPackageX: pkg({}), file: 'name="tbsPackage"' });
    for (const [b, t] of [
      [body, contentType],
      [body, 'multipart/form-data'],
    ]) {
      try {
        parseSignRequest(b as string, t as string);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(SignRequestError);
        expect((error as SignRequestError).retCode).toBe(RetCode.BAD_PARAMETER);
      }
    }
  });
});

describe('parseSignRequest and the PIN', () => {
  it.each([
    ['12%41567', '12%41567'], // typed as is: read as is (decoded it would be 12A567, a wrong PIN)
    ['12%2541567', '12%41567'], // the same PIN through encodeURIComponent
    ['12%2B456', '12+456'], // + escaped, as some pages do
    ['12%2b456', '12+456'], // lower-case hex, as other encoders write it
    ['1%zz2345', '1%zz2345'], // not an escape at all
    ['%E4%B8%AD', '中'], // what encodeURIComponent makes of non-ASCII (the PIN policy refuses it later, at no cost)
  ])('the pin %s is read as %s, whatever the body shape', (sent, read) => {
    const bodies: [string, string][] = [
      [`tbsPackage=${pkg({ pin: sent })}`, 'text/plain'],
      [`tbsPackage=${encodeURIComponent(pkg({ pin: sent }))}`, 'application/x-www-form-urlencoded'],
      [pkg({ pin: sent }), 'application/json'],
    ];
    for (const [body, contentType] of bodies) expect([contentType, parseSignRequest(body, contentType).pin.toString()]).toEqual([contentType, read]);
  });

  it('reads values escaped by an RFC 3986 encoder (! \' ( ) * ~ escaped too), in any hex case', () => {
    const strict = (v: string): string => encodeURIComponent(v).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
    for (const pin of ['Pass(1)!', "ab'12*34", 'x*9(8)7', 'a~b%c12']) {
      expect(parseSignRequest(`tbsPackage=${pkg({ pin: strict(pin) })}`, 'text/plain').pin.toString()).toBe(pin);
      const form = new URLSearchParams({ tbsPackage: pkg({ pin: strict(pin) }) }).toString();
      expect(parseSignRequest(form, 'application/x-www-form-urlencoded').pin.toString()).toBe(pin);
    }
    const text = 'Pay (NT$100) to 王小明!';
    expect(Buffer.from(parseSignRequest(`tbsPackage=${pkg({ tbs: strict(text) })}`, 'text/plain').tbs).toString()).toBe(text);
    // An escape of a letter is still no encoder's output: kept as typed.
    expect(parseSignRequest(`tbsPackage=${pkg({ pin: '12%41567' })}`, 'text/plain').pin.toString()).toBe('12%41567');
    // Nor is a character both as it is and escaped: typed so, not encoded.
    for (const pin of ['ab!%21cd', 'x(1%29y', "it's%27", 'a*%2Ab']) {
      expect(parseSignRequest(`tbsPackage=${pkg({ pin })}`, 'text/plain').pin.toString()).toBe(pin);
    }
  });

  it('a plain tbs that only looks escaped is signed as written; an encodeURIComponent one is decoded', () => {
    expect(Buffer.from(parseSignRequest(`tbsPackage=${pkg({ tbs: 'code%41-1' })}`, 'text/plain').tbs).toString()).toBe('code%41-1');
    expect(Buffer.from(parseSignRequest(`tbsPackage=${pkg({ tbs: encodeURIComponent('a b&c=中') })}`, 'text/plain').tbs).toString()).toBe('a b&c=中');
  });

  it('leaves no copy of the PIN in memory when a field after it refuses the body', () => {
    const PIN = 'Zq7Kp2Xw';
    // Every Buffer made from the PIN's text while parsing (the agent's copy of the PIN is one).
    const made: Buffer[] = [];
    const from = Buffer.from.bind(Buffer) as (...args: unknown[]) => Buffer;
    const spy = vi.spyOn(Buffer, 'from').mockImplementation(((...args: unknown[]) => {
      const b = from(...args);
      if (args[0] === PIN) made.push(b);
      return b;
    }) as typeof Buffer.from);
    try {
      const parsed = parseSignRequest(JSON.stringify({ tbs: 'hello', pin: PIN }), 'application/json');
      expect(made).toHaveLength(1); // the check sees the copy a request gets
      parsed.pin.fill(0);
      for (const extra of [{ slotDescription: 5 }, { nonce: {} }, { withCardSN: 1 }]) {
        made.length = 0;
        expect(() => parseSignRequest(JSON.stringify({ tbs: 'hello', pin: PIN, ...extra }), 'application/json')).toThrow(/must be a string|must be "true"/);
        expect([Object.keys(extra)[0], made.filter((b) => b.some((x) => x !== 0)).length]).toEqual([Object.keys(extra)[0], 0]);
      }
    } finally {
      spy.mockRestore();
    }
  });
});
