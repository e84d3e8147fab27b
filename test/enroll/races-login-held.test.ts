/**
 * Races on certificate-login enablement (驗證碼) that held when walked, on
 * both stores: one card enabled for two companies at once, one code redeemed
 * with two cards at once (spent once per method), the same card submitted
 * twice at once (one binding, both answered with it).
 */
import { beforeEach, expect, it } from 'vitest';
import type { Actor } from '../../src/enroll/domain/actor.js';
import type { VerifiedCardHolder } from '../../src/enroll/domain/card-holder.js';
import { EnrollError } from '../../src/enroll/errors.js';
import { LoginEnablementFlow } from '../../src/enroll/flows/login-enablement.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { citizenCard, describeEachStore } from './helpers.js';

const company: Actor = { role: 'applicant', id: '04595257' };
const methods = { citizenCard: 'enabled', companyCard: 'enabled' } as const;

const outcome = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'bound',
    (e: unknown) => {
      expect(e).toBeInstanceOf(EnrollError);
      return (e as EnrollError).refusal ?? (e as EnrollError).code;
    },
  );

describeEachStore('enroll_t_races_login_held', (db) => {
  let flow: LoginEnablementFlow;
  beforeEach(() => {
    flow = new LoginEnablementFlow({ store: db(), clock: new ManualClock('2026-03-02T01:00:00Z'), codeTtlMs: 86_400_000 });
  });

  const codeFor = async (businessId: string, controlNumber: string): Promise<string> =>
    (await flow.requestCertificateLogin({ businessId, controlNumber, companyName: '測試公司', methods }, company)).verificationCode;
  const enable = (businessId: string, controlNumber: string, verificationCode: string, holder: VerifiedCardHolder): Promise<string> =>
    outcome(flow.enableCertificateLogin({ businessId, controlNumber, verificationCode, holder }, company));

  it('one card enabled for two companies at once: bound once, the other CERTIFICATE_ENABLED_ELSEWHERE', async () => {
    const [a, b] = [await codeFor('04595257', 'E5600001'), await codeFor('22099131', 'E5600002')];
    const results = await Promise.all([enable('04595257', 'E5600001', a, citizenCard(1)), enable('22099131', 'E5600002', b, citizenCard(1))]);
    expect(results.sort()).toEqual(['CERTIFICATE_ENABLED_ELSEWHERE', 'bound']);
  });

  it('one code redeemed with two citizen cards at once: the code enables one, the other VERIFICATION_CODE_SPENT', async () => {
    const code = await codeFor('04595257', 'E5600001');
    const results = await Promise.all([enable('04595257', 'E5600001', code, citizenCard(1)), enable('04595257', 'E5600001', code, citizenCard(2))]);
    expect(results.sort()).toEqual(['VERIFICATION_CODE_SPENT', 'bound']);
    expect((await flow.get({ businessId: '04595257', controlNumber: 'E5600001' })).bindings).toHaveLength(1);
  });

  it('the same card submitted twice at once: one binding, both answered with it', async () => {
    const code = await codeFor('04595257', 'E5600001');
    const results = await Promise.all([1, 2].map(() => enable('04595257', 'E5600001', code, citizenCard(1))));
    expect(results).toEqual(['bound', 'bound']);
    expect((await flow.get({ businessId: '04595257', controlNumber: 'E5600001' })).bindings).toHaveLength(1);
  });
});
