import { beforeAll, describe, expect, it } from 'vitest';
import { TwpkiError } from '../../src/shared/twpki-error.js';
import {
  TestPkiError,
  VirtualHiCOSCard,
  VpcdBridge,
  VpcdBridgeError,
  createTestPki,
  createVirtualHiCOSCard,
  minimumReadApdus,
  virtualCardCredentials,
  type TestPki,
} from '../../src/testing/index.js';
import { ScriptedCard } from '../support/scripted-card.js';
import { thrownBy } from '../support/thrown-by.js';

async function expectMisuse(attempt: () => unknown, cls: typeof TwpkiError<string>, message: RegExp): Promise<void> {
  const error = await thrownBy(attempt);
  expect(error, String(message)).toBeInstanceOf(cls);
  expect(error).toBeInstanceOf(TwpkiError);
  // Codes are unique across the package: the bridge's own misuse code differs from the test PKI's.
  expect((error as TwpkiError<string>).code).toBe(cls === VpcdBridgeError ? 'BAD_BRIDGE_OPTIONS' : 'BAD_OPTIONS');
  expect((error as Error).message).toMatch(message);
}

// A harness's misspelt or out-of-range option was taken silently (createTestPki's ocspURL left every certificate
// pointing at 127.0.0.1:8080; createVirtualHiCOSCard's cardSN left the default 卡號), or failed as a plain
// RangeError/TypeError or a misleading CONNECT_FAILED: each is now a TwpkiError naming the option.
describe('twpki/testing refuses options it cannot use, naming them', () => {
  let pki: TestPki;
  beforeAll(async () => {
    pki = await createTestPki({ authorities: ['moica'] });
  }, 60_000);

  it('createTestPki: unknown names, URLs that are not http(s), an invalid now', async () => {
    await expectMisuse(() => createTestPki({ ocspURL: 'http://127.0.0.1:1/ocsp' } as never), TestPkiError, /createTestPki: "ocspURL" is not an option \(they are .*ocspUrl/);
    await expectMisuse(() => createTestPki({ ocspUrl: '127.0.0.1:9/ocsp' }), TestPkiError, /option "ocspUrl" must be an absolute http\(s\) URL/);
    await expectMisuse(() => createTestPki({ crlBaseUrl: 42 } as never), TestPkiError, /option "crlBaseUrl" must be an absolute http\(s\) URL/);
    await expectMisuse(() => createTestPki({ now: new Date(Number.NaN) }), TestPkiError, /option "now" must be a valid Date/);
  });

  it('issueCardHolder: unknown names, validity that is not a valid Date', async () => {
    await expectMisuse(() => pki.issueCardHolder({ authority: 'moica', cn: '王小明' } as never), TestPkiError, /issueCardHolder: "cn" is not an option \(they are .*commonName/);
    await expectMisuse(() => pki.issueCardHolder({ authority: 'moica', notBefore: '2026-01-01' } as never), TestPkiError, /option "notBefore" must be a valid Date, not "2026-01-01"/);
    await expectMisuse(() => pki.issueCardHolder({ authority: 'moica', notAfter: new Date('x') }), TestPkiError, /option "notAfter" must be a valid Date, not an invalid Date/);
  });

  it('createVirtualHiCOSCard: unknown names and profiles, before making any key', async () => {
    await expectMisuse(() => createVirtualHiCOSCard({ pki, cardSN: 'TP03000012345678' } as never), TestPkiError, /"cardSN" is not an option .*cardNumber/);
    await expectMisuse(() => createVirtualHiCOSCard({ pki, profile: 'hca' } as never), TestPkiError, /option "profile" must be one of moica, moeaca, gca, xca/);
    await expectMisuse(() => createVirtualHiCOSCard({ pki, generation: 3 } as never), TestPkiError, /option generation must be 1 or 2, not 3/);
    await expectMisuse(() => createVirtualHiCOSCard({ pki, cardNumber: 'TP0300001234567890' }), TestPkiError, /option cardNumber must be 1–16 printable ASCII characters/);
    await expectMisuse(() => createVirtualHiCOSCard({ pki, pin: '' }), TestPkiError, /option pin must be 1–10 printable ASCII characters/);
    // A pki that is not a test PKI (its certificate alone, a plain object, null) was a TypeError from inside the kit.
    for (const notPki of [{}, null, pki.root, 'moica']) {
      await expectMisuse(() => createVirtualHiCOSCard({ pki: notPki } as never), TestPkiError, /option "pki" must be a test PKI, as createTestPki\(\) returns it/);
    }
  });

  it('minimumReadApdus: a card that is not a virtual card', async () => {
    // It was "card.fileContent is not a function".
    for (const notCard of [undefined, {}, pki]) {
      await expectMisuse(() => minimumReadApdus(notCard as never), TestPkiError, /^minimumReadApdus: card must be a VirtualHiCOSCard/);
    }
  });

  it('virtualCardCredentials: a holder that is not one', async () => {
    // virtualCardCredentials of what is not a holder (a holder not awaited, a virtual card) was a TypeError too.
    const holder = pki.issueCardHolder({ authority: 'moica' });
    for (const notHolder of [undefined, {}, holder, pki.issuer('moica')]) {
      await expectMisuse(() => virtualCardCredentials(notHolder as never), TestPkiError, /^virtualCardCredentials: holder must be a card holder's credentials/);
    }
    expect(virtualCardCredentials(await holder).caCertificates).toHaveLength(2);
  });

  it('VirtualHiCOSCard: a key that is not RSA-2048 or is missing', async () => {
    const holder = await pki.issueCardHolder({ authority: 'moica' });
    await expectMisuse(
      () => new VirtualHiCOSCard({ credentials: { sign: holder.sign, keyx: undefined as never } }),
      TestPkiError,
      /option credentials\.keyx\.privateKey must be an RSA-2048 private key/,
    );
  });

  it('VirtualHiCOSCard: every setting is one a card could hold, or BAD_OPTIONS naming it', async () => {
    const holder = await pki.issueCardHolder({ authority: 'moica' });
    const credentials = { sign: holder.sign, keyx: holder.keyx };
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ pinTryLimit: 20 }, /"pinTryLimit" must be a whole number from 1 to 15/],
      [{ pinTryLimit: Number.NaN }, /"pinTryLimit"/],
      [{ pinTriesLeft: -1 }, /"pinTriesLeft" must be a whole number from 0 \(locked\) to pinTryLimit \(3\)/],
      [{ pinTriesLeft: 5 }, /"pinTriesLeft"/],
      [{ pinReference: 0x101 }, /"pinReference" must be one byte/],
      [{ keyRefs: { sign: 300, keyx: 0x11 } }, /"keyRefs\.sign" must be one byte/],
      [{ atr: 'hello' }, /"atr" must be an ATR of 2 to 33 bytes/],
      [{ diversificationData: new Uint8Array(20) }, /"diversificationData" must be 10 bytes/],
      [{ counterPolicy: 'bogus' }, /"counterPolicy" must be one of "every-command", "data-commands-only"/],
      [{ plainCommandsDuringSecureMessaging: 'Refuse' }, /"plainCommandsDuringSecureMessaging" must be one of "accept", "refuse"/],
      [{ versionLocation: 'Root' }, /"versionLocation" must be one of/],
      [{ cardNumberFile: 'absent' }, /"cardNumberFile" must be one of "present", "no-ef", "no-df", "unreadable", "blank-00", "blank-ff", "empty"/],
      [{ cardNumberFile: 'no-df', versionLocation: 'card-number-df' }, /"versionLocation" cannot be 'card-number-df' on a card without DF 0900/],
      [{ quirks: { responseChain: true } }, /"quirks": "responseChain" is not an option/],
      [{ pinTries: 3 }, /"pinTries" is not an option/],
    ];
    for (const [extra, message] of cases) {
      await expectMisuse(() => new VirtualHiCOSCard({ credentials, ...extra } as never), TestPkiError, message);
    }
    // createVirtualHiCOSCard checks the same before any key is made, and refuses what `card` would not read.
    await expectMisuse(() => createVirtualHiCOSCard({ pki, card: { pinTryLimit: 20 } }), TestPkiError, /createVirtualHiCOSCard: option "pinTryLimit"/);
    await expectMisuse(() => createVirtualHiCOSCard({ pki, card: { generation: 2 } as never }), TestPkiError, /"card\.generation" is not read: give generation beside card/);
    expect(new VirtualHiCOSCard({ credentials, pinTryLimit: 15, pinTriesLeft: 0, pinReference: 0x81, counterPolicy: 'data-commands-only' }).pinTriesLeft).toBe(0);
  });

  it('VirtualHiCOSCard: options or credentials left out (a script without types) are BAD_OPTIONS, not a TypeError', async () => {
    for (const options of [{ pin: '123456' }, { credentials: null }, undefined, 'card']) {
      await expectMisuse(() => new VirtualHiCOSCard(options as never), TestPkiError, /options must be an object|credentials is required/);
    }
  });

  it('VpcdBridge.connect: misspelt and out-of-range options, before any connection', async () => {
    const card = new ScriptedCard();
    await expectMisuse(() => VpcdBridge.connect(card, { timeout: 1_000 } as never), VpcdBridgeError, /"timeout" is not an option \(they are host, port, timeoutMs/);
    await expectMisuse(() => VpcdBridge.connect(card, { port: 70_000 }), VpcdBridgeError, /option "port" must be an integer from 1 to 65535/);
    await expectMisuse(() => VpcdBridge.connect(card, { port: '35963' } as never), VpcdBridgeError, /option "port" must be an integer/);
    await expectMisuse(() => VpcdBridge.connect(card, { timeoutMs: -1 }), VpcdBridgeError, /option "timeoutMs" must be a positive number/);
    await expectMisuse(() => VpcdBridge.connect(card, { host: '' }), VpcdBridgeError, /option "host" must be a non-empty/);
  });
});
