/**
 * Waiting for 復用 to show: near a CRL's nextUpdate the cache refreshes it in
 * the background. When the CA has not published a newer CRL yet, the refresh
 * brings back the same one, and the next attempt must still wait for the
 * retry delay: a MOICA CRL is about 20 MB, and re-downloading it on every
 * login of the refresh window would hammer the CA and the backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CardHolderCredentials } from 'twpki/testing';
import { HOUR, MINUTE, failure, startLab, type Lab } from './lab.js';

let lab: Lab;
let card: CardHolderCredentials;
const T0 = Date.UTC(2026, 2, 2, 1, 0, 0);

beforeAll(async () => {
  lab = await startLab(T0);
  card = await lab.issue();
});
afterAll(async () => {
  await lab.close();
});

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 100));

describe('background CRL refresh that finds no newer CRL', () => {
  it('does not download again within the retry delay after a refresh returned the same CRL', async () => {
    lab.clock.t = T0;
    const { verifier, checker } = lab.verifier({ mode: 'crl' });
    const serialHex = lab.serialOf(card);
    // Suspended: the CRL lists the hold; nextUpdate T0+1h (refresh window from T0+54 min).
    lab.publishCrl([{ serialHex, revokedAt: new Date(T0 - 2 * MINUTE), reason: 'certificateHold' }], new Date(T0 - MINUTE), new Date(T0 + HOUR - MINUTE), 1);
    await lab.login(verifier, card).catch(() => undefined);
    expect(checker.crls.downloads).toBe(1);

    // The user keeps trying while waiting for 復用; the CA publishes nothing new before nextUpdate.
    lab.clock.t = T0 + 55 * MINUTE;
    await lab.login(verifier, card).catch(() => undefined);
    await settle();
    expect(checker.crls.downloads).toBe(2); // one background refresh: the same CRL came back
    for (let i = 0; i < 5; i++) {
      lab.clock.t += 1000;
      await lab.login(verifier, card).catch(() => undefined);
      await settle();
    }
    // Within the one-minute retry delay: no further download.
    expect(checker.crls.downloads).toBe(2);
    lab.clock.t = T0 + 57 * MINUTE;
    await lab.login(verifier, card).catch(() => undefined);
    await settle();
    expect(checker.crls.downloads).toBe(3);
  });

  it('a CA that publishes late: logins fail closed without downloading the stale CRL again until the retry delay', async () => {
    const start = T0 + 10 * HOUR;
    lab.clock.t = start;
    const { verifier, checker } = lab.verifier({ mode: 'crl' });
    // The CA's CRL ran out a minute ago and nothing newer is published.
    lab.publishCrl([], new Date(start - HOUR), new Date(start - MINUTE), 10);
    for (let i = 0; i < 6; i++) {
      expect(await failure(lab.login(verifier, card))).toMatchObject({ code: 'REVOCATION_CHECK_FAILED', revocationCode: 'CRL_STALE' });
      lab.clock.t += 5000;
    }
    // One download, not one per login (MOICA's CRL is about 20 MB).
    expect(checker.crls.downloads).toBe(1);
    // After the retry delay it is fetched again; the CA has published meanwhile: the login goes through.
    lab.publishCrl([], new Date(start + MINUTE), new Date(start + 2 * HOUR), 11);
    lab.clock.t = start + MINUTE + 1;
    await expect(lab.login(verifier, card)).resolves.toMatchObject({ revocation: { kind: 'good' } });
    expect(checker.crls.downloads).toBe(2);
  });

  it('a CRL that cannot be read: the same failure, fast, until the retry delay; then fetched again', async () => {
    const start = T0 + 20 * HOUR;
    lab.clock.t = start;
    const { verifier, checker } = lab.verifier({ mode: 'crl' });
    lab.server.publishCrl('moica.crl', new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]));
    for (let i = 0; i < 4; i++) {
      expect(await failure(lab.login(verifier, card))).toMatchObject({ code: 'REVOCATION_CHECK_FAILED', revocationCode: 'CRL_MALFORMED' });
      lab.clock.t += 10_000;
    }
    expect(checker.crls.downloads).toBe(1);
    lab.publishCrl([], new Date(start), new Date(start + 2 * HOUR), 21);
    lab.clock.t = start + MINUTE;
    await expect(lab.login(verifier, card)).resolves.toMatchObject({ revocation: { kind: 'good' } });
    expect(checker.crls.downloads).toBe(2);
  });

  it('a CRL reissued with the same times but another entry replaces the cached one (only an identical one is skipped)', async () => {
    const start = T0 + 30 * HOUR;
    lab.clock.t = start;
    const { verifier } = lab.verifier({ mode: 'crl' });
    const thisUpdate = new Date(start - MINUTE);
    const nextUpdate = new Date(start + HOUR - MINUTE);
    lab.publishCrl([], thisUpdate, nextUpdate, 30);
    await expect(lab.login(verifier, card)).resolves.toMatchObject({ revocation: { kind: 'good' } });
    // Reissued with the same thisUpdate and nextUpdate, now listing the card on hold.
    lab.publishCrl([{ serialHex: lab.serialOf(card), revokedAt: new Date(start), reason: 'certificateHold' }], thisUpdate, nextUpdate, 31);
    lab.clock.t = start + 55 * MINUTE; // the refresh window: this login starts the background download
    await lab.login(verifier, card).catch(() => undefined);
    await settle();
    lab.clock.t += 1000;
    expect(await failure(lab.login(verifier, card))).toMatchObject({ code: 'CERT_SUSPENDED' });
  });
});
