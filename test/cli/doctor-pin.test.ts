/**
 * The doctor's PIN line: its advice fits what went wrong. Only a PIN refused for its length is told the length;
 * a card that refuses VERIFY for another reason gets card and reader advice; a wrong PIN whose remaining tries
 * the card does not report is never shown 「剩餘 ? 次機會」. Emulated cards, no pcscd.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { HiCOSCard } from '../../src/apdu/index.js';
import { pinChecks } from '../../src/cli/doctor/pin-checks.js';
import type { DoctorCheck } from '../../src/cli/doctor/doctor-check.js';
import { EmulatorReader } from '../../src/pcsc/emulator-reader.js';
import type { CardEmulator } from '../../src/pcsc/transport.js';
import { createTestPki, VirtualHiCOSCard, virtualCardCredentials, type CardHolderCredentials } from '../../src/testing/index.js';

let holder: CardHolderCredentials;
beforeAll(async () => {
  const pki = await createTestPki({ authorities: ['moica'] });
  holder = await pki.issueCardHolder({ authority: 'moica' });
}, 60_000);

async function pinLine(card: CardEmulator, pin: string): Promise<DoctorCheck | undefined> {
  const reader = new EmulatorReader();
  reader.insert(card);
  const [line] = await pinChecks(await HiCOSCard.open(reader.connect()), Buffer.from(pin));
  return line;
}

/** A card whose wrong-PIN answer is 6300: wrong, with no count of tries left. */
function countlessCard(): CardEmulator {
  const card = new VirtualHiCOSCard({ credentials: virtualCardCredentials(holder), pin: '246810' });
  return {
    reset: () => card.reset(),
    process: async (apdu) => {
      const answer = await card.process(apdu);
      return apdu[1] === 0x20 && answer[0] === 0x63 ? Uint8Array.of(0x63, 0x00) : answer;
    },
  };
}

const LENGTH = 'PIN碼須為6至8碼';

describe('twpki doctor: the PIN line', () => {
  it('a PIN of the wrong length is told the length', async () => {
    const line = await pinLine(new VirtualHiCOSCard({ credentials: virtualCardCredentials(holder) }), '12345');
    expect(line).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^INVALID_PIN_FORMAT: /), remedy: { zhTW: LENGTH } });
  });

  it('a PIN typed as a date is told to type the digits only, not the length (it has 8 characters)', async () => {
    const card = new VirtualHiCOSCard({ credentials: virtualCardCredentials(holder) });
    const line = await pinLine(card, '79/01/01');
    expect(line).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^INVALID_PIN_FORMAT: .*date with separators/) });
    expect(line?.remedy?.zhTW).toMatch(/只輸入數字/);
    expect(line?.remedy?.en).toMatch(/without "\/"/);
    expect(card.pinTriesLeft).toBe(3);
  });

  it('a card refusing VERIFY for another reason gets card and reader advice, not the length', async () => {
    // The user PIN under another reference: VERIFY answers 6A88 (CARD_ERROR) to a 6-digit PIN.
    const line = await pinLine(new VirtualHiCOSCard({ credentials: virtualCardCredentials(holder), pinReference: 0x02 }), '123456');
    expect(line).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^CARD_ERROR: /) });
    expect(line?.remedy?.zhTW).not.toBe(LENGTH);
    expect(line?.remedy?.zhTW).toMatch(/重新插卡/);
    expect(line?.remedy?.en).toMatch(/re-insert the card/);
  });

  it('a wrong PIN with no count of tries left shows no 「?」; with a count, the count', async () => {
    const countless = await pinLine(countlessCard(), '654321');
    expect(countless?.status).toBe('fail');
    expect(JSON.stringify(countless)).not.toContain('?');
    expect(countless?.remedy?.zhTW).toContain('連3次將鎖卡');
    const counted = await pinLine(new VirtualHiCOSCard({ credentials: virtualCardCredentials(holder), pin: '246810' }), '654321');
    expect(counted).toMatchObject({ detail: 'wrong PIN, 2 tries left', detailZhTW: 'PIN碼錯誤，剩餘 2 次機會' });
  });
});
