import type { VerifiedLogin } from '../../cert/index.js';
import { InMemoryEmsSource } from '../../ems/index.js';
import {
  AccountEnrollmentFlow,
  CapturingMailer,
  EmsLayerAdapter,
  cardHolderFromLogin,
  systemClock,
  type Actor,
} from '../../enroll/index.js';
import type { DemoPeers } from './demo-peers.js';

/** Outcome of the demo's enrollment walk. */
export interface DemoEnrollment {
  state: string;
  detail: Record<string, unknown>;
}

const APPLICANT: Actor = { role: 'applicant', id: 'demo-company' };
const REVIEWER: Actor = { role: 'reviewer', id: 'demo-reviewer' };

/**
 * Takes one company account from application to active in an in-memory
 * PGlite store: apply → basic data (EMS comparison) → bind the card that just
 * logged in → 審核中 → approve (activation mail to the EMS e-mail) → activate.
 */
export async function runDemoEnrollment(
  input: { applicant: Record<string, string>; holder: VerifiedLogin },
  peers: DemoPeers,
): Promise<DemoEnrollment> {
  const store = await peers.openStore();
  try {
    const ems = new EmsLayerAdapter(new InMemoryEmsSource([input.applicant]));
    const mailer = new CapturingMailer();
    const flow = new AccountEnrollmentFlow({
      store,
      clock: systemClock,
      mailer,
      ems,
      emsRecords: ems,
      activationLink: (token) => `https://demo.twpki.example.gov.tw/activate?key=${token}`,
    });
    const states: string[] = [];
    const app = await flow.apply({ controlNumber: input.applicant.controlNumber ?? '' }, APPLICANT);
    states.push(app.status);
    states.push((await flow.submitBasicData(app.id, input.applicant, APPLICANT)).status);
    const holder = cardHolderFromLogin(input.holder);
    const bound = await flow.bindCard(app.id, { holder, contact: { phone: '02-2345-6789', email: 'applicant@example.com.tw' } }, APPLICANT);
    states.push(bound.status);
    const approval = await flow.approve(app.id, REVIEWER);
    states.push(approval.application.status);
    const mail = mailer.last();
    const token = /[?&]key=([A-Za-z0-9_-]+)/.exec(mail?.text ?? '')?.[1];
    if (!token) throw new Error('the activation mail carried no link');
    const active = await flow.activate(token);
    states.push(active.status);
    return {
      state: active.status,
      detail: {
        states: states.join(' → '),
        activationMailTo: approval.sentTo,
        boundCardNumber: holder.cardNumber,
        cards: (await flow.listCards(active.controlNumber)).length,
      },
    };
  } finally {
    await store.close();
  }
}
