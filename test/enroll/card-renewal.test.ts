/**
 * Card lifecycle: a renewed certificate on a bound card (same 卡號, authority,
 * anchor, holder name and ID hint, from a verified login) updates the binding,
 * audited; the review policy queues it instead; attacks are refused and
 * audited; a reissued card (new 卡號) re-binds through addCard/removeCard.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/enroll/domain/actor.js';
import { parseCardHolder, type VerifiedCardHolder } from '../../src/enroll/domain/card-holder.js';
import { markVerified } from '../../src/enroll/domain/verified-holder.js';
import { AccountEnrollmentFlow } from '../../src/enroll/flows/account-enrollment.js';
import { judgeRenewal, type BoundCard } from '../../src/enroll/flows/card-renewal.js';
import { LoginEnablementFlow } from '../../src/enroll/flows/login-enablement.js';
import { CapturingMailer } from '../../src/enroll/mail/capturing-mailer.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { readAuditTrail } from '../../src/enroll/store/audit.js';
import type { CardNumber, CertificateSerial } from '../../src/enroll/domain/identifiers.js';
import { FakeEms, basicDataFor, citizenCard, describeEachStore, enrollFailure, tokenFromMail } from './helpers.js';

const applicant: Actor = { role: 'applicant', id: 'company-a' };
const reviewer: Actor = { role: 'reviewer', id: 'staff-1' };
const contact = { phone: '02-2345-6789', email: 'typed@example.com' };
const ANCHOR = 'a'.repeat(64);
const verified = (h: VerifiedCardHolder): VerifiedCardHolder => markVerified({ ...h });
const OLD = '2024-05-01T00:00:00.000Z';
const NEW = '2026-02-01T00:00:00.000Z';
const original = verified(citizenCard(1, { anchor: ANCHOR, validFrom: OLD }));
const renewed = verified(citizenCard(1, { anchor: ANCHOR, validFrom: NEW, certificateSerial: '5b000000000001' }));

async function code(p: Promise<unknown>): Promise<string> {
  return (await enrollFailure(p)).code;
}

describe('the renewal rule', () => {
  const bound: BoundCard = {
    cardNumber: 'TP03000000000001' as CardNumber,
    certificateSerial: '4a00000000000001' as CertificateSerial,
    authority: 'MOICA',
    subjectName: '王小明1',
    idHint: '6789',
    anchor: ANCHOR,
    validFrom: OLD,
  };
  const judge = (h: VerifiedCardHolder): string => {
    const v = judgeRenewal(bound, parseCardHolder(h, 'holder'));
    return v.kind === 'refused' ? `refused: ${v.reason}` : v.kind;
  };
  it.each([
    ['the bound certificate', original, 'same'],
    ['a verified renewal', renewed, 'renewal'],
    ['an unverified object (did not come from a successful verification)', { ...renewed }, 'refused: the certificate did not come from a successful login verification'],
    ['same 卡號, another holder', verified({ ...renewed, subjectName: '陳冒名' }), 'refused: another holder name'],
    ['same 卡號, another ID hint', verified({ ...renewed, idHint: '1111' }), 'refused: another ID hint'],
    ['same 卡號, another authority', verified({ ...renewed, authority: 'GCA' }), 'refused: another authority (GCA, bound MOICA)'],
    ['same 卡號, another trust anchor', verified({ ...renewed, anchor: 'b'.repeat(64) }), 'refused: the certificate chains to another trust anchor'],
    ['an older certificate of the card', verified({ ...renewed, validFrom: '2020-01-01T00:00:00Z' }), 'refused: not newer than the bound certificate'],
  ])('%s → %s', (_name, holder, expected) => {
    expect(judge(holder)).toBe(expected);
  });

  it('a binding without recorded renewal data is never renewed automatically', () => {
    const legacy = { ...bound, authority: undefined, subjectName: undefined };
    expect(judgeRenewal(legacy, parseCardHolder(renewed, 'holder')).kind).toBe('refused');
  });
});

describeEachStore('enroll_t_renewal', (db) => {
  let clock: ManualClock;
  let mailer: CapturingMailer;
  let ems: FakeEms;
  const accountsWith = (renewal?: 'automatic' | 'review'): AccountEnrollmentFlow =>
    new AccountEnrollmentFlow({
      store: db(),
      clock,
      mailer,
      ems,
      emsRecords: ems,
      activationLink: (t) => `https://x.example/AccountActivate?key=${t}`,
      ...(renewal === undefined ? {} : { renewal }),
    });

  beforeEach(() => {
    clock = new ManualClock('2026-03-02T01:00:00Z');
    mailer = new CapturingMailer();
    ems = new FakeEms();
    ems.put(basicDataFor());
  });

  async function activeAccount(flow: AccountEnrollmentFlow): Promise<string> {
    const app = await flow.apply({ controlNumber: 'H5600123' }, applicant);
    await flow.submitBasicData(app.id, basicDataFor(), applicant);
    await flow.bindCard(app.id, { holder: original, contact }, applicant);
    await flow.approve(app.id, reviewer);
    await flow.activate(tokenFromMail(mailer.sent.at(-1)?.text ?? ''));
    return app.id;
  }

  it('account: a renewed certificate logs in and takes over the binding, audited; the old one stops working', async () => {
    const flow = accountsWith();
    const id = await activeAccount(flow);
    expect(await flow.resolveLogin(original)).toBe('H5600123');
    expect(await flow.resolveLogin(renewed)).toBe('H5600123');
    expect((await flow.listCards('H5600123')).map((c) => c.certificateSerial)).toEqual(['5b000000000001']);
    expect(await code(flow.resolveLogin(original))).toBe('NOT_AUTHORIZED');
    const trail = await readAuditTrail(db(), { flow: 'account', subject: id });
    expect(trail.filter((e) => e.event === 'renewCard').map((e) => e.reason)).toEqual(['卡號 TP03000000000001: 4a00000000000001 → 5b000000000001']);
  });

  it('account: attacks on the same 卡號 are refused and audited; the binding is unchanged', async () => {
    const flow = accountsWith();
    const id = await activeAccount(flow);
    for (const attack of [
      verified({ ...renewed, subjectName: '陳冒名' }),
      verified({ ...renewed, authority: 'GCA' }),
      verified({ ...renewed, anchor: 'b'.repeat(64) }),
      verified({ ...renewed, idHint: '0000' }),
    ]) {
      // Said as what it is: the 卡號 is bound, to another certificate (not "this card is not bound").
      const err = await enrollFailure(flow.resolveLogin(attack));
      expect([err.code, err.refusal]).toEqual(['NOT_AUTHORIZED', 'RENEWAL_MISMATCH']);
    }
    // A hand-built holder (here a copy of the renewal) is refused before the binding is read: not a renewal attempt.
    for (const copy of [{ ...renewed }, { ...original }]) {
      const err = await enrollFailure(flow.resolveLogin(copy));
      expect([err.code, err.refusal]).toEqual(['NOT_AUTHORIZED', 'VERIFIED_LOGIN_REQUIRED']);
    }
    expect((await flow.listCards('H5600123')).map((c) => c.certificateSerial)).toEqual([original.certificateSerial]);
    const refused = (await readAuditTrail(db(), { flow: 'account', subject: id })).filter((e) => e.event === 'renewalRefused');
    expect(refused).toHaveLength(4);
  });

  it('account: the review policy queues the renewal until a reviewer accepts it', async () => {
    const flow = accountsWith('review');
    await activeAccount(flow);
    expect(await code(flow.resolveLogin(renewed))).toBe('RENEWAL_PENDING_REVIEW');
    expect(await code(flow.resolveLogin(renewed))).toBe('RENEWAL_PENDING_REVIEW');
    const pending = await flow.pendingRenewals();
    expect(pending).toMatchObject([{ cardNumber: 'TP03000000000001', oldSerial: original.certificateSerial, newSerial: '5b000000000001' }]);
    expect(await code(flow.acceptRenewal(pending[0]?.id ?? '', applicant))).toBe('FORBIDDEN');
    expect((await flow.acceptRenewal(pending[0]?.id ?? '', reviewer)).certificateSerial).toBe('5b000000000001');
    expect(await flow.pendingRenewals()).toEqual([]);
    expect(await flow.resolveLogin(renewed)).toBe('H5600123');
  });

  it('account: a reissued card (new 卡號) re-binds through addCard + removeCard, so the account is never locked out', async () => {
    const flow = accountsWith();
    await activeAccount(flow);
    const reissued = verified(citizenCard(7, { subjectName: '王小明1', anchor: ANCHOR, validFrom: NEW }));
    expect(await code(flow.resolveLogin(reissued))).toBe('NOT_AUTHORIZED');
    await flow.addCard('H5600123', { holder: reissued, contact }, applicant);
    await flow.removeCard('H5600123', original.cardNumber ?? '', applicant);
    expect(await flow.resolveLogin(reissued)).toBe('H5600123');
  });

  it('certificate-login enablement: renewal by 卡號, refusals, review policy', async () => {
    const company: Actor = { role: 'applicant', id: '04595257' };
    const target = { businessId: '04595257' };
    for (const policy of ['automatic', 'review'] as const) {
      const logins = new LoginEnablementFlow({ store: db(), clock, renewal: policy });
      const bid = policy === 'automatic' ? '04595257' : '22099131';
      const { verificationCode } = await logins.requestCertificateLogin(
        { businessId: bid, companyName: '公司', methods: { citizenCard: 'enabled', companyCard: 'enabled' } },
        company,
      );
      const card = policy === 'automatic' ? 1 : 2;
      const first = verified(citizenCard(card, { anchor: ANCHOR, validFrom: OLD }));
      const next = verified(citizenCard(card, { anchor: ANCHOR, validFrom: NEW, certificateSerial: `5b${card}` }));
      await logins.enableCertificateLogin({ businessId: bid, verificationCode, holder: first }, company);
      expect(await code(logins.authorizeLogin(verified({ ...next, subjectName: '陳冒名' })))).toBe('NOT_AUTHORIZED');
      if (policy === 'automatic') {
        expect((await logins.authorizeLogin(next)).binding.certificateSerial).toBe(`5b${card}`);
        expect(await code(logins.authorizeLogin(first))).toBe('NOT_AUTHORIZED');
      } else {
        expect(await code(logins.authorizeLogin(next))).toBe('RENEWAL_PENDING_REVIEW');
        const [request] = await logins.pendingRenewals();
        await logins.acceptRenewal(request?.id ?? '', reviewer);
        expect((await logins.authorizeLogin(next)).account.businessId).toBe(bid);
      }
    }
    const events = (await readAuditTrail(db(), { flow: 'loginEnablement', subject: target.businessId })).map((e) => e.event);
    expect(events).toContain('renewCard');
    expect(events).toContain('renewalRefused');
  });
});
