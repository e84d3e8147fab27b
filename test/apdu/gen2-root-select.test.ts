import { verify, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { HiCOSCard } from '../../src/apdu/hicos-card.js';
import { RetryCounterStore } from '../../src/apdu/pin/retry-counter-store.js';
import { toHex } from '../../src/shared/bytes.js';
import type { Gen2SelectMf } from '../../src/testing/hicos/virtual-card-options.js';
import { insertVirtualCard, plainCommandsDuringSession, testCredentials } from './support/virtual-cards.js';

/*
 * How a Gen2 applet answers SELECT 3F00 is not in the facts: they give the applet AID as the entry and "path 7FFF
 * means the applet". The host reaches the applet root by re-selecting the AID, so it works whichever way the card
 * answers 3F00, and after a card reset the transport did not see.
 */

beforeAll(async () => {
  await testCredentials();
}, 60_000);

const PIN = '123456';
const SELECT_3F00 = '00a40004023f00';
const SELECT_APPLET = '00a4040c10';

async function open(gen2SelectMf: Gen2SelectMf) {
  const inserted = await insertVirtualCard({ generation: 2, gen2SelectMf });
  const hicos = await HiCOSCard.open(inserted.transport, { retryStore: new RetryCounterStore() });
  return { ...inserted, hicos };
}

async function signedBy(hicos: HiCOSCard, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  return verify('sha256', data, new X509Certificate((await hicos.certificates())[0]!.der).publicKey, signature);
}

const sent = (log: readonly { command: Uint8Array }[]): string[] => log.map((e) => toHex(e.command));

describe.each<Gen2SelectMf>(['applet-root', 'not-found'])('a Gen2 applet whose SELECT 3F00 is %s', (gen2SelectMf) => {
  it('info, certificates, verifyPin and sign work in any order, and no SELECT 3F00 is sent', async () => {
    const data = new Uint8Array([7]);
    const a = await open(gen2SelectMf);
    expect((await a.hicos.info()).version).toBe('CHT GPPKI');
    expect(await signedBy(a.hicos, data, await a.hicos.sign(data, { pin: PIN }))).toBe(true);

    // Certificates first (the root was current after detection), then the PIN calls, which must reach DF 0900.
    const b = await open(gen2SelectMf);
    expect(await b.hicos.certificates()).toHaveLength(4);
    expect(await b.hicos.verifyPin(PIN)).toEqual({ status: 'ok', retriesLeft: 3 });
    expect(await signedBy(b.hicos, data, await b.hicos.sign(data))).toBe(true);
    expect(await signedBy(b.hicos, data, await b.hicos.sign(data, { pin: PIN }))).toBe(true);

    // The card number first, then a signature, which must reach DF 5030.
    const c = await open(gen2SelectMf);
    await c.hicos.cardNumber();
    expect(await signedBy(c.hicos, data, await c.hicos.sign(data, { pin: PIN }))).toBe(true);

    for (const { card } of [a, b, c]) {
      expect(sent(card.log).filter((apdu) => apdu.startsWith(SELECT_3F00))).toEqual([]);
      expect(plainCommandsDuringSession(card.log)).toEqual([]);
    }
  });

  it('a channel opened away from the root selects the applet first, so the secured SELECTs are 5030 and 0810', async () => {
    const { card, hicos } = await open(gen2SelectMf);
    expect((await hicos.verifyPin(PIN)).status).toBe('ok');
    // A plain read ends that channel (applet re-selected) and leaves DF 5030 current; the card ID is known now.
    await hicos.info();
    card.clearLog();
    expect((await hicos.verifyPin(PIN)).status).toBe('ok');
    const data = new Uint8Array([8]);
    const signature = await hicos.sign(data);
    const steps = card.log.map((e) => (e.command[0]! & 0x04 ? '*' : '') + toHex(e.command.subarray(1, 2)));
    // SELECT applet | INITIALIZE UPDATE, EXTERNAL AUTHENTICATE | VERIFY | SELECT 5030, 0810 | EA, EA, C1.
    expect(steps).toEqual(['a4', '50', '*82', '*20', '*a4', '*a4', '*ea', '*ea', '*c1']);
    expect(sent(card.log)[0]!.startsWith(SELECT_APPLET)).toBe(true);
    expect(await signedBy(hicos, data, signature)).toBe(true);
  });

  it('after a card reset the transport did not report, the failed call is typed and the next one works', async () => {
    const { card, hicos } = await open(gen2SelectMf);
    // The card lost its applet selection; the host still takes the root as current.
    card.reset();
    await expect(hicos.info()).rejects.toMatchObject({ code: 'CARD_ERROR', statusWord: '6985' });
    card.clearLog();
    expect((await hicos.info()).cardNumber).toBe(card.cardNumber);
    // The recovery starts by selecting the applet by its AID, not by a root FID.
    expect(sent(card.log)[0]!.startsWith(SELECT_APPLET)).toBe(true);
    card.reset();
    await expect(hicos.sign(new Uint8Array([1]), { pin: PIN })).rejects.toMatchObject({ code: 'CARD_ERROR' });
    expect(await hicos.verifyPin(PIN)).toEqual({ status: 'ok', retriesLeft: 3 });
    const data = new Uint8Array([9]);
    expect(await signedBy(hicos, data, await hicos.sign(data, { pin: PIN }))).toBe(true);
    expect(card.pinTriesLeft).toBe(3);
  });
});
