/**
 * What `npx tsx examples/enroll-web/server.ts` runs: everything the flow
 * needs on one machine. A generated test PKI stands in for GRCA/MOICA, a
 * virtual citizen card (PIN 123456) sits in the local agent (or, with
 * `--pcsc`, the agent reads real readers through pcscd), and a local SMTP sink
 * catches the activation mail, readable at /dev/mailbox.
 */
import { EmulatorCardSlots, PcscCardSlots, startAgent, type CardSlots } from 'twpki/agent';
import { EmulatorReader } from 'twpki/pcsc';
import { createTestPki, createVirtualHiCOSCard } from 'twpki/testing';
import type { EnrollWeb, EnrollWebOptions } from './server.js';
import { startSmtpSink } from './smtp-sink.js';

/** EMS basic data of the demo companies (the EMS side of the comparison). */
export const DEMO_EMS_RECORDS = [
  {
    controlNumber: 'E5600123',
    companyName: '範例環保股份有限公司',
    responsiblePerson: '王大明',
    facilityAddress: '臺北市中正區重慶南路一段122號3樓',
    facilityEmail: 'service@example.com.tw',
    mailingAddress: '臺北市中正區重慶南路一段122號3樓',
    contactName: '李小華',
    contactEmail: 'contact@example.com.tw',
  },
  {
    controlNumber: 'H5600999',
    companyName: '測試化學工業有限公司',
    responsiblePerson: '陳志明',
    facilityAddress: '高雄市前鎮區成功二路25號',
    facilityEmail: 'factory@example.com.tw',
    mailingAddress: '高雄市前鎮區成功二路25號',
    contactName: '林美玲',
    contactEmail: 'lin@example.com.tw',
  },
] as const;

/** Starts sink, web app and agent for a manual walk through the flow; stops them on Ctrl-C. */
export async function runDemo(start: (options: EnrollWebOptions) => Promise<EnrollWeb>): Promise<void> {
  const usePcsc = process.argv.includes('--pcsc');
  const pki = await createTestPki();
  const sink = await startSmtpSink({ port: 2525 });
  const web = await start({
    port: Number(process.env.PORT ?? 8009),
    ems: DEMO_EMS_RECORDS,
    trustAnchors: [pki.root.certificate],
    intermediates: [pki.issuer('moica').certificate],
    smtp: { host: sink.host, port: sink.port },
    devMailbox: () => sink.messages,
  });
  let slots: CardSlots;
  if (usePcsc) {
    slots = await PcscCardSlots.open();
  } else {
    const reader = new EmulatorReader({ name: 'twpki virtual reader' });
    reader.insert(await createVirtualHiCOSCard({ pki, pin: '123456', cardNumber: 'TP03000012345678' }));
    slots = new EmulatorCardSlots(reader);
  }
  const agent = await startAgent({ slots, trusted: [web.url] });
  console.log(`帳號申請  ${web.url}/        (管制編號 E5600123; EMS data in examples/enroll-web/demo-setup.ts)`);
  console.log(`審核      ${web.url}/review`);
  console.log(`憑證登入  ${web.url}/login`);
  console.log(`信箱      ${web.url}/dev/mailbox   (SMTP sink on ${sink.host}:${sink.port})`);
  console.log(`agent     ${agent.url}  ${usePcsc ? '(pcscd readers)' : '(virtual card TP03000012345678, PIN 123456)'}`);
  console.log(`store     ${process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite'}`);
  process.once('SIGINT', () => {
    void (async () => {
      await agent.close();
      await slots.close();
      await web.close();
      await sink.close();
    })();
  });
}
