/**
 * A renewal whose new serial is already bound elsewhere: the binding's UPDATE
 * fails on the unique serial, which in PostgreSQL (server and PGlite) aborts
 * the transaction. The renewal runs in a savepoint, so the refusal is still
 * audited (`renewalRefused`) and the command ends as CARD_ALREADY_BOUND.
 */
import { beforeEach, expect, it } from 'vitest';
import type { Actor } from '../../src/enroll/domain/actor.js';
import type { VerifiedCardHolder } from '../../src/enroll/domain/card-holder.js';
import { markVerified } from '../../src/enroll/domain/verified-holder.js';
import { AccountEnrollmentFlow } from '../../src/enroll/flows/account-enrollment.js';
import { LoginEnablementFlow } from '../../src/enroll/flows/login-enablement.js';
import { CapturingMailer } from '../../src/enroll/mail/capturing-mailer.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { readAuditTrail } from '../../src/enroll/store/audit.js';
import { defaultMessages } from '../../src/messages/index.js';
import type { EnrollStore, Row, SqlSession } from '../../src/enroll/store/store.js';
import { FakeEms, basicDataFor, citizenCard, describeEachStore, enrollFailure, tokenFromMail } from './helpers.js';

const ANCHOR = 'a'.repeat(64);
const OLD = '2024-05-01T00:00:00.000Z';
const NEW = '2026-02-01T00:00:00.000Z';
const verified = (h: VerifiedCardHolder): VerifiedCardHolder => markVerified({ ...h });
const applicant: Actor = { role: 'applicant', id: 'company-a' };
const reviewer: Actor = { role: 'reviewer', id: 'staff-1' };
const contact = { phone: '02-2345-6789', email: 'typed@example.com' };

/**
 * The race `authorizeLogin` can lose: its look-up by serial ran before
 * another company's binding of that serial committed. The wrapper answers
 * that look-up with no row while the binding is already in the table.
 */
function missingSerialLookup(inner: EnrollStore): EnrollStore {
  return {
    transaction: <T>(fn: (tx: SqlSession) => Promise<T>) =>
      inner.transaction((tx) =>
        fn({
          query: <R extends Row = Row>(text: string, params?: readonly unknown[]) =>
            text.includes('WHERE b.certificate_serial = $1') ? Promise.resolve([] as R[]) : tx.query<R>(text, params),
          runScript: (script) => tx.runScript(script),
        }),
      ),
    migrate: () => inner.migrate(),
    close: () => inner.close(),
  };
}

describeEachStore('enroll_t_renewal_conflict', (db) => {
  let clock: ManualClock;
  beforeEach(() => {
    clock = new ManualClock('2026-03-02T01:00:00Z');
  });

  it('account: a renewal onto a serial another card holds is refused, audited, and changes nothing', async () => {
    const mailer = new CapturingMailer();
    const ems = new FakeEms();
    ems.put(basicDataFor());
    const flow = new AccountEnrollmentFlow({ store: db(), clock, mailer, ems, emsRecords: ems, activationLink: (t) => `https://x.example/a?key=${t}` });
    const first = verified(citizenCard(1, { anchor: ANCHOR, validFrom: OLD }));
    const second = verified(citizenCard(2, { anchor: ANCHOR, validFrom: OLD }));
    const app = await flow.apply({ controlNumber: 'H5600123' }, applicant);
    await flow.submitBasicData(app.id, basicDataFor(), applicant);
    await flow.bindCard(app.id, { holder: first, contact }, applicant);
    await flow.approve(app.id, reviewer);
    await flow.activate(tokenFromMail(mailer.sent.at(-1)?.text ?? ''));
    await flow.addCard('H5600123', { holder: second, contact }, applicant);

    // The first card "renewed" onto the second card's serial.
    const onto = verified(citizenCard(1, { anchor: ANCHOR, validFrom: NEW, certificateSerial: second.certificateSerial }));
    const err = await enrollFailure(flow.resolveLogin(onto));
    expect([err.code, err.refusal]).toEqual(['CARD_ALREADY_BOUND', 'RENEWED_CERTIFICATE_BOUND_ELSEWHERE']);
    expect(defaultMessages.describe(err).messages.zhTW).toBe('展期後的憑證已綁定於其他卡片或帳號，請洽承辦人員');
    const refused = (await readAuditTrail(db(), { flow: 'account', subject: app.id })).filter((e) => e.event === 'renewalRefused');
    expect(refused.map((e) => e.reason)).toEqual([
      `卡號 TP03000000000001: ${first.certificateSerial} → ${second.certificateSerial}: the new certificate is already bound elsewhere`,
    ]);
    expect((await flow.listCards('H5600123')).map((c) => [c.cardNumber, c.certificateSerial])).toEqual([
      ['TP03000000000001', first.certificateSerial],
      ['TP03000000000002', second.certificateSerial],
    ]);
    expect(await flow.resolveLogin(first)).toBe('H5600123');
  });

  it('certificate-login enablement: losing the race to another company is refused and audited', async () => {
    const company: Actor = { role: 'applicant', id: 'company' };
    const logins = new LoginEnablementFlow({ store: db(), clock });
    const first = verified(citizenCard(1, { anchor: ANCHOR, validFrom: OLD }));
    const other = verified(citizenCard(2, { anchor: ANCHOR, validFrom: OLD, certificateSerial: '5b0001' }));
    for (const [businessId, holder] of [['04595257', first], ['22099131', other]] as const) {
      const { verificationCode } = await logins.requestCertificateLogin(
        { businessId, companyName: '公司', methods: { citizenCard: 'enabled', companyCard: 'enabled' } },
        company,
      );
      await logins.enableCertificateLogin({ businessId, verificationCode, holder }, company);
    }
    const racing = new LoginEnablementFlow({ store: missingSerialLookup(db()), clock });
    const renewed = verified(citizenCard(1, { anchor: ANCHOR, validFrom: NEW, certificateSerial: '5b0001' }));
    expect((await enrollFailure(racing.authorizeLogin(renewed))).code).toBe('CARD_ALREADY_BOUND');
    const trail = await readAuditTrail(db(), { flow: 'loginEnablement', subject: '04595257' });
    expect(trail.filter((e) => e.event === 'renewalRefused').map((e) => e.reason)).toEqual([
      `卡號 TP03000000000001: ${first.certificateSerial} → 5b0001: the new certificate is already bound elsewhere`,
    ]);
    expect(trail.filter((e) => e.event === 'renewCard')).toEqual([]);
    // Both companies keep their cards.
    expect((await logins.authorizeLogin(first)).account.businessId).toBe('04595257');
    expect((await logins.get({ businessId: '22099131' })).bindings.map((b) => b.certificateSerial)).toEqual(['5b0001']);
  });
});
