import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { HiCOSCard } from '../../../src/apdu/hicos-card.js';
import { RetryCounterStore } from '../../../src/apdu/pin/retry-counter-store.js';
import { encryptGen1PinBlock } from '../../../src/apdu/crypto/gen1-pin-block.js';
import { EmulatorReader } from '../../../src/pcsc/emulator-reader.js';
import { fromHex, toHex } from '../../../src/shared/bytes.js';
import { createVirtualHiCOSCard } from '../../../src/testing/hicos/create-virtual-hicos-card.js';
import { VirtualHiCOSCard } from '../../../src/testing/hicos/virtual-hicos-card.js';
import type { VirtualCardCredentials } from '../../../src/testing/hicos/virtual-card-options.js';
import { testCredentials } from '../../apdu/support/virtual-cards.js';

let credentials: VirtualCardCredentials;
beforeAll(async () => {
  credentials = await testCredentials();
}, 60_000);

/** Sends hex APDUs straight to the card and returns the status words. */
function run(card: VirtualHiCOSCard, ...apdus: string[]): string[] {
  return apdus.map((a) => toHex(card.process(fromHex(a)).subarray(-2)));
}
function data(card: VirtualHiCOSCard, apdu: string): Uint8Array {
  return card.process(fromHex(apdu)).subarray(0, -2);
}

describe('virtual Gen1 card', () => {
  const gen1 = (extra = {}) => {
    const card = new VirtualHiCOSCard({ credentials, ...extra });
    expect(toHex(card.reset())).toBe('3bb8130081 31fa524348544d4f494341a5'.replace(' ', ''));
    return card;
  };

  it('speaks CLA 80 only and has no ODF', () => {
    const card = gen1();
    expect(run(card, '00a40000023f00', '80a40000023f00', '80a40000025030', '80a40000025015')).toEqual(['6e00', '9000', '9000', '6a82']);
  });

  it('only selects the root or a child of the current DF', () => {
    const card = gen1();
    expect(run(card, '80a40000020900', '80a40000025030', '80a40000023f00', '80a40000025030')).toEqual(['9000', '6a82', '9000', '9000']);
  });

  it('reads in chunks: 6282 for a short last chunk, 6B00 past the end', () => {
    const card = gen1();
    run(card, '80a40000020900', '80a40000020903');
    const first = card.process(fromHex('80b00000c8'));
    expect(Buffer.from(first.subarray(0, -2)).toString()).toBe('TP03000012345678');
    expect(toHex(first.subarray(-2))).toBe('6282');
    expect(run(card, '80b00010c8', '80b0000010')).toEqual(['6b00', '9000']);
  });

  it('switches to 6Cxx answers when asked', () => {
    const card = gen1({ quirks: { wrongLengthRetry: true } });
    card.reset();
    expect(run(card, '80a40000020900', '80a40000020903', '80b00000c8')).toEqual(['9000', '9000', '6c10']);
  });

  it('answers 6700 when Le runs past the end with wrongLengthError (6B00 at the end, and not with wrongLengthRetry)', () => {
    const card = gen1({ quirks: { wrongLengthError: true } });
    card.reset();
    expect(run(card, '80a40000020900', '80a40000020903', '80b00000c8', '80b0000011', '80b0000010', '80b0001001')).toEqual([
      '9000',
      '9000',
      '6700',
      '6700',
      '9000',
      '6b00',
    ]);
    expect(() => gen1({ quirks: { wrongLengthError: true, wrongLengthRetry: true } })).toThrow(/quirks\.wrongLengthError.*6Cxx or 6700/);
    expect(() => gen1({ quirks: { wrongLengthError: 'yes' } })).toThrow(/quirks\.wrongLengthError/);
  });

  it('keeps the certificates in EF 08F2 at 0000 / 0700 / 0E00 / 1500', () => {
    const card = gen1();
    const file = card.fileContent([0x5030, 0x08f2])!;
    expect(toHex(file.subarray(0, credentials.sign.certificate.length))).toBe(toHex(credentials.sign.certificate));
    expect(toHex(file.subarray(0x700, 0x700 + credentials.keyx.certificate.length))).toBe(toHex(credentials.keyx.certificate));
    expect(file[0x0e00]).toBe(0x30);
    expect(file[0x1500]).toBe(0x30);
    expect(file.length).toBe(0x1c00);
  });

  it('EF.DIR names the PKCS#15 application; the key EF is not readable', () => {
    const card = gen1();
    run(card, '80a40000022f00');
    expect(Buffer.from(data(card, '80b00000c8')).toString('utf8')).toContain('中華電信研究所');
    expect(run(card, '80a40000025030', '80a40000020810', '80b00000c8')).toEqual(['9000', '9000', '6982']);
  });

  it('protected VERIFY needs 0810 selected; the probe reports the counter; locked survives reset', () => {
    const card = gen1({ pin: '135790' });
    const block = (pin: string) => toHex(encryptGen1PinBlock(new TextEncoder().encode(pin), fromHex('1122334455667788')));
    expect(run(card, `8c20000120${block('135790')}`)).toEqual(['6985']);
    run(card, '80a40000025030', '80a40000020810');
    expect(run(card, '80200001', `8c20000120${block('000000')}`, '80200001')).toEqual(['63c3', '63c2', '63c2']);
    expect(run(card, `8c20000120${block('135790')}`, '80200001')).toEqual(['9000', '9000']);
    expect(run(card, `8c20000120${block('1')}`, `8c20000120${block('2')}`, `8c20000120${block('3')}`)).toEqual(['63c2', '63c1', '6983']);
    card.reset();
    run(card, '80a40000025030', '80a40000020810');
    expect(run(card, `8c20000120${block('135790')}`, '80200001')).toEqual(['6983', '6983']);
  });

  it('walking PIN references burns tries, as the facts say of real cards: 6A88 and one try each, then locked', () => {
    const card = gen1({ pin: '135790' });
    const block = (pin: string) => toHex(encryptGen1PinBlock(new TextEncoder().encode(pin), fromHex('1122334455667788')));
    run(card, '80a40000025030', '80a40000020810');
    expect(run(card, `8c20000220${block('135790')}`, `8c20008120${block('135790')}`)).toEqual(['6a88', '6a88']);
    expect(card.pinTriesLeft).toBe(1);
    expect(run(card, `8c20000320${block('135790')}`, `8c20000120${block('135790')}`)).toEqual(['6a88', '6983']);
  });

  it('blanks VERIFY data in its log', () => {
    const card = gen1();
    run(card, '80a40000025030', '80a40000020810', '8020000106313233343536');
    expect(toHex(card.log[2]!.command)).toBe(`8020000106${'00'.repeat(6)}`);
  });

  it('refuses the private-key operation without a verified PIN', () => {
    const card = gen1();
    run(card, '80a40000025030', '80a40000020810');
    expect(run(card, `80ea820180${'00'.repeat(128)}`)).toEqual(['6982']);
  });
});

describe('virtual Gen2 card', () => {
  it('needs the applet selected, speaks CLA 00 for files and refuses Gen1 commands', () => {
    const card = new VirtualHiCOSCard({ credentials, generation: 2 });
    expect(toHex(card.reset())).toBe('3bd8960081b1fe451f07434854475 04b494add'.replace(' ', ''));
    expect(run(card, '00a40004023f0000', '80a40000023f00')).toEqual(['6985', '6e00']);
    expect(run(card, '00a4040c10a000000283000006220169640001010100', '00a40004027fff00', '00a400040250300000'.slice(0, 16))).toEqual([
      '9000',
      '9000',
      '9000',
    ]);
  });

  it('gen2SelectMf: SELECT 3F00 selects the applet root like 7FFF (default), or answers 6A82 (the facts give only 7FFF)', () => {
    const selectApplet = '00a4040c10a000000283000006220169640001010100';
    const byDefault = new VirtualHiCOSCard({ credentials, generation: 2 });
    byDefault.reset();
    expect(run(byDefault, selectApplet, '00a40004020900', '00a40004023f0000', '00a400040250300000'.slice(0, 16))).toEqual(['9000', '9000', '9000', '9000']);
    const strict = new VirtualHiCOSCard({ credentials, generation: 2, gen2SelectMf: 'not-found' });
    strict.reset();
    expect(run(strict, selectApplet, '00a40004020900', '00a40004023f0000', '00a40004027fff00', '00a40004025030')).toEqual(['9000', '9000', '6a82', '9000', '9000']);
    // Re-selecting the applet by AID reaches the root too.
    expect(run(strict, selectApplet, '00a40004020900')).toEqual(['9000', '9000']);
    expect(() => new VirtualHiCOSCard({ credentials, generation: 2, gen2SelectMf: 'refuse' as never })).toThrow(/gen2SelectMf/);
    expect(() => new VirtualHiCOSCard({ credentials, gen2SelectMf: 'not-found' })).toThrow(/gen2SelectMf.*Gen2 cards only/);
  });

  it('answers GET DATA on the ISD-CM and ISD', () => {
    const card = new VirtualHiCOSCard({ credentials, generation: 2, cardId: fromHex('00112233445566778899') });
    card.reset();
    run(card, '00a404000fa000000283ff0886925353 89c0001400'.replace(' ', ''));
    expect(data(card, '80ca00e000')[7]).toBe(16);
    run(card, '00a4040007a000000151000000');
    expect(toHex(data(card, '80ca004500'))).toBe('450a00112233445566778899');
  });

  it('a bad secure-messaging MAC ends the session (6988)', () => {
    const card = new VirtualHiCOSCard({ credentials, generation: 2 });
    card.reset();
    run(card, '00a4040c10a000000283000006220169640001010100');
    expect(run(card, '8050010008000102030405060700')).toEqual(['9000']);
    expect(run(card, `8482030010${'00'.repeat(16)}`)).toEqual(['6300']);
    expect(run(card, `0420000118${'00'.repeat(24)}`)).toEqual(['6882']);
  });

  it.each([
    ['accept', '9000', '6300'],
    ['refuse', '6982', '6882'],
  ] as const)('plain commands during a session: %s (answer %s; the session is then %s to EXTERNAL AUTHENTICATE)', (mode, plainSw, authSw) => {
    const card = new VirtualHiCOSCard({ credentials, generation: 2, plainCommandsDuringSecureMessaging: mode });
    card.reset();
    expect(run(card, '00a4040c10a000000283000006220169640001010100', '8050010008000102030405060700')).toEqual(['9000', '9000']);
    expect(run(card, '00a40004023f0000')).toEqual([plainSw]);
    // 6300: the half-open session still exists and the (garbage) cryptogram is refused; 6882: there is no session left.
    expect(run(card, `8482030010${'00'.repeat(16)}`)).toEqual([authSw]);
    // SELECT by AID is always processed (it ends a session anyway).
    expect(run(card, '8050010008000102030405060700', '00a4040c10a000000283000006220169640001010100')).toEqual(['9000', '9000']);
  });

  // The counter policy is unknown for real cards: every SDK flow must work under either, whatever the host option says.
  it.each(
    (['accept', 'refuse'] as const).flatMap((plain) =>
      (['every-command', 'data-commands-only'] as const).flatMap((cardPolicy) =>
        ([undefined, 'data-commands-only'] as const).map((hostPolicy) => [cardPolicy, hostPolicy, plain] as const),
      ),
    ),
  )('SDK flows work on a card stepping the SCP03 counter %s (host option %s, plain commands during SM: %s)', async (cardPolicy, hostPolicy, plain) => {
    const card = new VirtualHiCOSCard({ credentials, generation: 2, counterPolicy: cardPolicy, plainCommandsDuringSecureMessaging: plain });
    const reader = new EmulatorReader();
    reader.insert(card);
    const hicos = await HiCOSCard.open(reader.connect(), {
      retryStore: new RetryCounterStore(),
      ...(hostPolicy ? { scp03: { counterPolicy: hostPolicy } } : {}),
    });
    expect((await hicos.verifyPin('123456')).status).toBe('ok');
    expect(await hicos.sign(new Uint8Array([1]))).toHaveLength(256);
    // One verified channel serves one operation: the counter never matters after C1, the session's only data-less command.
    await expect(hicos.sign(new Uint8Array([1]))).rejects.toMatchObject({ code: 'PIN_REQUIRED' });
    expect(await hicos.sign(new Uint8Array([2]), { pin: '123456' })).toHaveLength(256);
    expect(await hicos.sign(new Uint8Array([3]), { pin: '123456' })).toHaveLength(256);
    expect(card.log.some((e) => toHex(e.response.subarray(-2)) === '6988')).toBe(false);
  });

});

describe('createVirtualHiCOSCard', () => {
  it.each(['accept', 'refuse'] as const)('issues a GCA-profile Gen2 card from the test PKI (plain commands during SM: %s)', async (plain) => {
    const card = await createVirtualHiCOSCard({
      profile: 'gca',
      generation: 2,
      pin: '11223344',
      cardNumber: 'GC00000000000001',
      card: { plainCommandsDuringSecureMessaging: plain },
    });
    const reader = new EmulatorReader();
    reader.insert(card);
    const hicos = await HiCOSCard.open(reader.connect(), { retryStore: new RetryCounterStore() });
    const info = await hicos.info();
    expect(info.cardNumber).toBe('GC00000000000001');
    expect(info.generation).toBe(2);
    const sign = new X509Certificate(info.certificates[0]!.der);
    const issuingCa = new X509Certificate(info.certificates[2]!.der);
    expect(sign.checkIssued(issuingCa)).toBe(true);
    expect((await hicos.verifyPin('11223344')).status).toBe('ok');
    expect(await hicos.sign(new Uint8Array([1]))).toHaveLength(256);
  }, 60_000);
});

describe('virtual card robustness', () => {
  it('answers any byte string with a status word and never throws', async () => {
    const fc = (await import('fast-check')).default;
    for (const generation of [1, 2] as const) {
      const card = new VirtualHiCOSCard({ credentials, generation });
      card.reset();
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(0x00, 0x80, 0x84, 0x04, 0x8c), (bytes, cla) => {
          const command = bytes.length > 0 ? Uint8Array.from([cla, ...bytes]) : bytes;
          const response = card.process(command);
          expect(response.length).toBeGreaterThanOrEqual(2);
        }),
        { numRuns: 500 },
      );
    }
  });
});

describe('virtual card exchange log', () => {
  it('keeps the latest logLimit exchanges and counts them all', () => {
    const card = new VirtualHiCOSCard({ credentials, logLimit: 3 });
    card.reset();
    run(card, '80a40000023f00', '80a40000025030', '80a40000025015', '80a40000023f00', '80a40000020900');
    expect(card.apduCount).toBe(5);
    expect(card.log.map((e) => toHex(e.command))).toEqual(['80a40000025015', '80a40000023f00', '80a40000020900']);
    expect(card.log.map((e) => toHex(e.response))).toEqual(['6a82', '9000', '9000']);
    card.clearLog();
    expect([card.apduCount, card.log.length]).toEqual([0, 0]);
    run(card, '80a40000023f00');
    expect([card.apduCount, card.log.length]).toEqual([1, 1]);
  });

  it('is bounded by default: a harness running for days does not keep every APDU', () => {
    const card = new VirtualHiCOSCard({ credentials });
    card.reset();
    for (let i = 0; i < 10_050; i++) card.process(fromHex(i % 2 === 0 ? '80a40000023f00' : '80a40000025030'));
    expect(card.apduCount).toBe(10_050);
    expect(card.log).toHaveLength(10_000);
    expect(toHex(card.log[0]!.command)).toBe('80a40000023f00'); // the 51st exchange (i = 50)
    expect(toHex(card.log[9_999]!.command)).toBe('80a40000025030'); // the last (i = 10,049)
  });

  it('keeps everything with Infinity, nothing with 0, and blanks VERIFY data either way', () => {
    const all = new VirtualHiCOSCard({ credentials, logLimit: Infinity });
    const none = new VirtualHiCOSCard({ credentials, logLimit: 0 });
    for (const card of [all, none]) {
      card.reset();
      run(card, '80a40000023f00', '0020000108313233343536ffff');
    }
    expect(all.log).toHaveLength(2);
    expect(toHex(all.log[1]!.command)).toBe('00200001080000000000000000');
    expect([none.log.length, none.apduCount]).toEqual([0, 2]);
  });

  it.each([-1, 1.5, Number.NaN, '10' as unknown as number])('refuses logLimit %s, naming it', (logLimit) => {
    expect(() => new VirtualHiCOSCard({ credentials, logLimit })).toThrow(/option logLimit must be a whole number/);
  });
});
