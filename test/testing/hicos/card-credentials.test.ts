/**
 * `virtualCardCredentials`: a holder the test PKI issued, put in a virtual card, reads back through HiCOSCard as
 * the holder's SIGN and KEYX certificates with the issuing CA and root; two cards made from one holder keep their
 * own PIN state.
 */
import { describe, expect, it } from 'vitest';
import { HiCOSCard } from '../../../src/apdu/index.js';
import { EmulatorReader } from '../../../src/pcsc/index.js';
import { createTestPki, VirtualHiCOSCard, virtualCardCredentials } from '../../../src/testing/index.js';

describe('virtualCardCredentials', () => {
  it('puts a holder in a card as cert1, cert2, CACert and ROOTCACert; each card keeps its own tries', async () => {
    const pki = await createTestPki({ authorities: ['moica'] });
    const holder = await pki.issueCardHolder({ authority: 'moica' });
    const credentials = virtualCardCredentials(holder);
    const cards = [new VirtualHiCOSCard({ pin: '123456', credentials }), new VirtualHiCOSCard({ pin: '123456', credentials: virtualCardCredentials(holder) })];
    const readers = cards.map((card) => {
      const reader = new EmulatorReader();
      reader.insert(card);
      return reader;
    });
    const first = await HiCOSCard.open((readers[0] as EmulatorReader).connect());
    const byLabel = new Map((await first.certificates()).map((c) => [c.label, Buffer.from(c.der).toString('hex')]));
    const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
    expect(byLabel.get('cert1')).toBe(hex(holder.sign.certificate));
    expect(byLabel.get('cert2')).toBe(hex(holder.keyx.certificate));
    expect(byLabel.get('CACert')).toBe(hex(holder.chain[0] as Uint8Array));
    expect(byLabel.get('ROOTCACert')).toBe(hex(holder.chain[1] as Uint8Array));
    expect(await first.verifyPin('654321')).toMatchObject({ status: 'wrong' });
    expect(cards[0]?.pinTriesLeft).toBe(2);
    expect(cards[1]?.pinTriesLeft).toBe(3);
    // The holder's chain is copied, not shared: a card cannot change it.
    expect(credentials.caCertificates).not.toBe(holder.chain);
  });
});
