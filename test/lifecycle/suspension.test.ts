/**
 * MOICA 停用 (suspend, CRLReason certificateHold) and 復用 (resume: the entry
 * gone from the next CRL, OCSP good again) through a running verifier, with
 * its caches: the suspended login is refused as a hold, the resumed one is
 * accepted without restarting anything, and no answer outlives its nextUpdate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateRevokedError } from 'twpki/cert';
import { defaultMessages } from 'twpki/messages';
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

describe('suspension and resumption by CRL', () => {
  it('refuses a suspended card as a hold, and accepts it again once the next CRL drops the entry', async () => {
    lab.clock.t = T0;
    const { verifier, checker } = lab.verifier({ mode: 'crl' });
    const serialHex = lab.serialOf(card);
    lab.publishCrl([], new Date(T0 - MINUTE), new Date(T0 + HOUR), 1);
    await expect(lab.login(verifier, card)).resolves.toMatchObject({ revocation: { kind: 'good', source: 'crl' } });

    // 停用 at T0+10 min; the CA publishes a CRL with the hold.
    const heldAt = new Date(T0 + 10 * MINUTE);
    lab.publishCrl([{ serialHex, revokedAt: heldAt, reason: 'certificateHold' }], heldAt, new Date(heldAt.getTime() + HOUR), 2);
    // Past the first CRL's nextUpdate the hold is seen.
    lab.clock.t = T0 + HOUR + MINUTE;
    const held = await failure(lab.login(verifier, card));
    expect(held).toBeInstanceOf(CertificateRevokedError);
    expect(held).toMatchObject({ code: 'CERT_SUSPENDED', reason: 'certificateHold' });
    // What a page shows: 停用 with the way back, not 廢止.
    expect(defaultMessages.describe(held).messages.zhTW).toBe('憑證已停用，請辦理復用後再登入');
    // The log line says what it is: 停用 (resumable), not 廢止.
    expect(held.message).toMatch(/suspended \(certificateHold, 停用\)/);
    expect(held.message).not.toMatch(/revoked/);

    // 復用 at T0+65 min: the next CRL no longer lists it.
    const resumedAt = new Date(T0 + 65 * MINUTE);
    lab.publishCrl([], resumedAt, new Date(resumedAt.getTime() + HOUR), 3);
    // The held CRL is current until its nextUpdate (T0+70 min): still refused, by the CRL's own terms.
    lab.clock.t = T0 + 69 * MINUTE;
    expect((await failure(lab.login(verifier, card))).code).toBe('CERT_SUSPENDED');
    // Past it, the same verifier (no restart) accepts the card.
    lab.clock.t = T0 + 70 * MINUTE + 1;
    await expect(lab.login(verifier, card)).resolves.toMatchObject({ revocation: { kind: 'good' } });
    expect(checker.crls.downloads).toBe(3);
  });

  it('never answers good from a CRL past its nextUpdate: a stale CRL fails closed', async () => {
    lab.clock.t = T0;
    const { verifier } = lab.verifier({ mode: 'crl' });
    lab.publishCrl([], new Date(T0 - MINUTE), new Date(T0 + HOUR), 10);
    await lab.login(verifier, card);
    lab.clock.t = T0 + HOUR + 1;
    // The CA has not published a newer one.
    const err = await failure(lab.login(verifier, card));
    expect(err).toMatchObject({ code: 'REVOCATION_CHECK_FAILED', revocationCode: 'CRL_STALE' });
  });

  it('fails closed when the CRL cannot be fetched', async () => {
    lab.clock.t = T0;
    const { verifier } = lab.verifier({ mode: 'crl', crlUrls: [`${lab.server.crlBaseUrl}/missing.crl`] });
    expect(await failure(lab.login(verifier, card))).toMatchObject({ code: 'REVOCATION_CHECK_FAILED', revocationCode: 'FETCH_FAILED' });
  });
});

describe('revocation (廢止) is told apart from suspension', () => {
  it('names the reason of a revocation', async () => {
    lab.clock.t = T0;
    const { verifier } = lab.verifier({ mode: 'ocsp', ocspCacheSize: 0 });
    const serialHex = lab.serialOf(card);
    lab.server.ocsp.thisUpdate = new Date(T0);
    lab.server.ocsp.nextUpdate = new Date(T0 + HOUR);
    lab.server.setStatus(serialHex, { kind: 'revoked', revokedAt: new Date(T0 - MINUTE), reason: 'keyCompromise' });
    try {
      const err = await failure(lab.login(verifier, card));
      expect(err).toMatchObject({ code: 'CERT_REVOKED', reason: 'keyCompromise' });
      expect(defaultMessages.describe(err).messages.zhTW).toBe('憑證已廢止，無法登入');
      expect(err.message).toMatch(/was revoked .* \(keyCompromise\)/);
    } finally {
      lab.server.setStatus(serialHex, { kind: 'good' });
    }
  });
});

describe('suspension and resumption by OCSP', () => {
  it('refuses a held card as a hold and accepts it the moment OCSP says good again (holds are not cached)', async () => {
    lab.clock.t = T0;
    const { verifier, checker } = lab.verifier({ mode: 'ocsp' });
    const serialHex = lab.serialOf(card);
    lab.server.ocsp.thisUpdate = new Date(T0);
    lab.server.ocsp.nextUpdate = new Date(T0 + HOUR);
    lab.server.setStatus(serialHex, { kind: 'good' });
    await lab.login(verifier, card);

    lab.server.setStatus(serialHex, { kind: 'revoked', revokedAt: new Date(T0 + 5 * MINUTE), reason: 'certificateHold' });
    // The cached good is used up to its nextUpdate and no later.
    lab.clock.t = T0 + HOUR;
    await lab.login(verifier, card);
    lab.clock.t = T0 + HOUR + 1;
    lab.server.ocsp.thisUpdate = new Date(lab.clock.t);
    lab.server.ocsp.nextUpdate = new Date(lab.clock.t + HOUR);
    expect(await failure(lab.login(verifier, card))).toMatchObject({ code: 'CERT_SUSPENDED', reason: 'certificateHold', message: expect.stringContaining('停用') });

    lab.server.setStatus(serialHex, { kind: 'good' });
    lab.clock.t += MINUTE;
    await expect(lab.login(verifier, card)).resolves.toMatchObject({ revocation: { kind: 'good', source: 'ocsp' } });
    expect(checker.ocsp.requests).toBe(3);
  });

  it('fails closed when the responder is down and there is no CRL source', async () => {
    lab.clock.t = T0;
    lab.server.ocsp.thisUpdate = new Date(T0);
    lab.server.ocsp.nextUpdate = new Date(T0 + HOUR);
    lab.server.ocsp.httpStatus = 503;
    try {
      const { verifier } = lab.verifier({ mode: 'ocsp' });
      expect(await failure(lab.login(verifier, card))).toMatchObject({ code: 'REVOCATION_CHECK_FAILED', revocationCode: 'FETCH_FAILED' });
    } finally {
      delete lab.server.ocsp.httpStatus;
    }
  });
});
