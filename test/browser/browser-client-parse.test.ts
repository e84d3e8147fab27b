/**
 * The browser client's readers of the component's JSON, in Node (no page
 * needed): pkcs11info parsing, DN splitting, and ComponentError for any code.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ComponentError, detect, LastError, nameValue, parseDistinguishedName, parsePkcs11Info, RetCode, sign } from '../../src/browser/index.js';
import { TwpkiError } from '../../src/shared/twpki-error.js';
import { CARD_NUMBER, officialPkcs11Info } from './support/official-shapes.js';

describe('parsePkcs11Info', () => {
  it('reads the official answer given as text or as parsed JSON', () => {
    const fromText = parsePkcs11Info(JSON.stringify(officialPkcs11Info(false)));
    const fromJson = parsePkcs11Info(officialPkcs11Info(false), 'popup');
    expect(fromText.token?.serialNumber).toBe(CARD_NUMBER);
    expect(fromText.slots.map((s) => s.state)).toEqual(['empty', 'card', 'unknown']);
    expect(fromJson.channel).toBe('popup');
    expect(fromJson.token?.userCertificate?.label).toBe('cert1');
  });

  it('accepts codes written as strings and dates written as text', () => {
    const answer = officialPkcs11Info(true) as { ret_code: unknown; slots: Array<{ token: unknown }> };
    answer.ret_code = '0';
    const token = answer.slots[1]?.token as { certs: Array<Record<string, unknown>> };
    const cert = token.certs[1] as Record<string, unknown>;
    delete cert.notAfterT;
    cert.notAfter = '2030-06-30T15:59:59Z';
    cert.notBeforeT = '1704067200';
    const parsed = parsePkcs11Info(answer);
    expect(parsed.token?.userCertificate?.notAfter?.toISOString()).toBe('2030-06-30T15:59:59.000Z');
    expect(parsed.token?.userCertificate?.notBefore?.getTime()).toBe(1_704_067_200_000);
  });

  it('throws the component’s failure, and a bad reply for what is not its answer', () => {
    const untrusted = (): unknown => parsePkcs11Info({ func: 'pkcs11info', ret_code: '0x76000031', last_error: 0 });
    expect(untrusted).toThrow(ComponentError);
    try {
      untrusted();
    } catch (e) {
      expect(e).toBeInstanceOf(TwpkiError);
      expect(e).toMatchObject({ code: 'COMPONENT_FAILED', retCode: RetCode.UNTRUSTED_DOMAIN });
    }
    for (const bad of ['not json', '[]', { ret_code: 0 }, { slots: [] }, null]) {
      expect(() => parsePkcs11Info(bad)).toThrow(expect.objectContaining({ code: 'COMPONENT_BAD_REPLY' }));
    }
  });

  it('a token without a card number counts as unreadable, not as a card', () => {
    const answer = officialPkcs11Info(false) as { slots: Array<{ token: Record<string, unknown> | null }> };
    (answer.slots[1]?.token as Record<string, unknown>).serialNumber = '';
    const parsed = parsePkcs11Info(answer);
    expect(parsed.slot).toBeNull();
    expect(parsed.slots[1]?.state).toBe('unknown');
  });
});

describe('parseDistinguishedName', () => {
  const attribute = fc.record({
    type: fc.constantFrom('C', 'O', 'OU', 'L', 'CN', 'serialNumber', '2.5.4.97'),
    value: fc.string({ minLength: 1, maxLength: 12 }).filter((v) => !v.includes(',')),
  });

  it('splits the official `,`-joined form back into its attributes', () => {
    fc.assert(
      fc.property(fc.array(attribute, { minLength: 1, maxLength: 6 }), (attrs) => {
        const text = attrs.map((a) => `${a.type}=${a.value}`).join(',');
        expect(parseDistinguishedName(text).attributes).toEqual(attrs);
        // Some components write ", ": the types are the same, values as written.
        expect(parseDistinguishedName(attrs.map((a) => `${a.type}=${a.value}`).join(', ')).attributes.map((a) => a.type)).toEqual(attrs.map((a) => a.type));
      }),
    );
  });

  it('keeps an unescaped comma inside a value', () => {
    const dn = parseDistinguishedName('C=TW,O=範例股份有限公司,台北分公司,CN=王小明');
    expect(nameValue(dn, 'o')).toBe('範例股份有限公司,台北分公司');
    expect(nameValue(dn, 'CN')).toBe('王小明');
  });
});

describe('ComponentError', () => {
  it('explains any code pair in both languages and reads tries left only from the tables', () => {
    fc.assert(
      fc.property(fc.integer({ min: -0x80000000, max: 0xffffffff }), fc.integer({ min: -0x80000000, max: 0xffffffff }), (ret, last) => {
        const error = new ComponentError('COMPONENT_FAILED', { retCode: ret, lastError: last });
        expect(error.retCode).toBe(ret >>> 0);
        expect(error.lastError).toBe(last | 0);
        expect(error.messages.zhTW.length).toBeGreaterThan(0);
        expect(error.messages.en.length).toBeGreaterThan(0);
        const expected = { [LastError.PIN_INCORRECT_1_LEFT]: 1, [LastError.PIN_INCORRECT_2_LEFT]: 2, [LastError.PIN_LOCKED]: 0 }[last | 0];
        expect(error.triesLeft).toBe(expected);
      }),
    );
  });

  it('says a reason once when the kind and the code say the same', () => {
    const error = new ComponentError('COMPONENT_BAD_REQUEST', { field: 'tbs', retCode: RetCode.BAD_PARAMETER });
    expect(error.messages.zhTW).toBe('參數錯誤');
    expect(error.message).toContain('field tbs');
  });

  it('reads a ret_code written as a signed 32-bit number as the code it is, message included', () => {
    for (const written of [0x83000105 | 0, 0x83000105]) {
      const error = new ComponentError('COMPONENT_FAILED', { retCode: written });
      expect(error.retCode).toBe(0x83000105);
      expect(error.messages.zhTW).toBe('輸入之PIN碼格式錯誤');
    }
  });

  it('shows an unknown code as unknown with its hex value, never bare', () => {
    const error = new ComponentError('COMPONENT_FAILED', { retCode: 0x76100006, lastError: 0xe0 });
    expect(error.messages.zhTW).toBe('IC卡登入失敗：未知的錯誤碼 0xE0');
    expect(error.messages.en).toBe('Card login failed: Unknown code 0xE0');
    expect(error.message).toContain('ret_code 0x76100006');
  });
});

describe('detect() and sign() options from a page', () => {
  // A page's JavaScript can pass anything: a URL that does not parse threw a bare TypeError, and an unknown mode
  // was carried into the result. Each is a ComponentError naming the option, before anything is sent.
  it.each([
    [{ url: 'not a url' }, 'url'],
    [{ url: 'ftp://localhost:61161' }, 'url'],
    [{ url: 42 }, 'url'],
    [{ mode: 'bogus' }, 'mode'],
    [{ timeoutMs: -1 }, 'timeoutMs'],
    [{ timeoutMs: Number.NaN }, 'timeoutMs'],
    [{ popupHandshakeMs: 0 }, 'popupHandshakeMs'],
    [{ popupPath: 'popupForm' }, 'popupPath'],
  ])('%o is refused naming %s', async (options, field) => {
    for (const call of [() => detect(options as never), () => sign({ tbs: 't', pin: '123456' }, options as never)]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ComponentError);
      expect(err).toMatchObject({ code: 'COMPONENT_BAD_REQUEST', field, retCode: RetCode.BAD_PARAMETER });
    }
  });
});
