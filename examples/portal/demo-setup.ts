/**
 * What `npx tsx examples/portal/server.ts` runs: everything the portal needs on
 * one machine. A generated test PKI stands in for GRCA and the issuing CAs;
 * virtual cards sit in the local agent (a citizen card and an agency card in two
 * in-process readers, or with `--pcsc` the agent reads pcscd's readers); the
 * mail sink catches the notices, readable at /dev/mailbox.
 */
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { EmulatorCardSlots, PcscCardSlots, startAgent, type CardSlots, type SlotInfo } from 'twpki/agent';
import type { HiCOSCard } from 'twpki/apdu';
import { EmulatorReader } from 'twpki/pcsc';
import { createTestPki, VirtualHiCOSCard, virtualCardCredentials, type CardHolderCredentials, type TestPki } from 'twpki/testing';
import { startMailSink } from './core/mail-sink.js';
import { gepiSystem } from './gepi/index.js';
import { gpsSystem } from './gps/index.js';
import { DEMO_MEMBERS, DEMO_OID_AGENCIES, DEMO_PERSONNEL } from './official/demo.js';
import { officialSystem } from './official/index.js';
import { DEMO_COMPANIES } from './waste/demo.js';
import { wasteSystem } from './waste/index.js';
import { fromOptionOrEnv, logLevelOf, PortalConfigError } from './core/config.js';
import type { Portal, PortalOptions } from './server.js';

/** EMS basic data of the demo companies (the EMS side of the GPS comparison). */
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

/** The demo agency of GEPI: 機關代號 A1001 with the test PKI's default agency OID on its card. */
export const DEMO_AGENCY_OID = '2.16.886.101.90001.20001';
/** GEPI agencies (公保機關代號 → OID). */
export const DEMO_AGENCIES = [{ agencyCode: 'A1001', oid: DEMO_AGENCY_OID, name: '(測試) 範例機關' }];
/** The demo reviewer password (hashed with scrypt when the portal starts). */
export const DEMO_REVIEWER_PASSWORD = 'review-demo-2026';

/** What a demo card is: its holder (MOICA with an ID hint, or GCA with an organization OID), 卡號 and PIN. */
export interface DemoCardOptions {
  authority: 'moica' | 'gca';
  cardNumber: string;
  pin: string;
  commonName?: string;
  idHint?: string;
  organizationOid?: string;
  notBefore?: Date;
}

/** The card holder a demo card carries, issued by the test PKI (two RSA key pairs). */
export function demoCardHolder(pki: TestPki, options: DemoCardOptions): Promise<CardHolderCredentials> {
  return pki.issueCardHolder({
    authority: options.authority,
    ...(options.commonName === undefined ? {} : { commonName: options.commonName }),
    ...(options.idHint === undefined ? {} : { idHint: options.idHint }),
    ...(options.organizationOid === undefined ? {} : { organizationOid: options.organizationOid }),
    ...(options.notBefore === undefined ? {} : { notBefore: options.notBefore }),
  });
}

/** A virtual card of the test PKI: MOICA (holder, ID hint) or GCA (organization OID). */
export async function demoCard(pki: TestPki, options: DemoCardOptions): Promise<VirtualHiCOSCard> {
  const holder = await demoCardHolder(pki, options);
  return new VirtualHiCOSCard({ pin: options.pin, cardNumber: options.cardNumber, credentials: virtualCardCredentials(holder) });
}

/** Several in-process readers as one agent's slots (the GEPI pages need two cards at once). */
class DemoReaders implements CardSlots {
  public constructor(private readonly readers: ReadonlyArray<{ name: string; slots: EmulatorCardSlots }>) {}

  public async list(): Promise<SlotInfo[]> {
    const out: SlotInfo[] = [];
    for (const r of this.readers) for (const s of await r.slots.list()) out.push({ ...s, slotID: out.length });
    return out;
  }

  public withCard<T>(slot: SlotInfo, fn: (card: HiCOSCard) => Promise<T>): Promise<T> {
    const reader = this.readers.find((r) => r.name === slot.description);
    if (reader === undefined) throw new RangeError(`no reader ${slot.description}`);
    return reader.slots.withCard(slot, fn);
  }

  /** Closes each reader's slots (they stop listening to their reader). */
  public async close(): Promise<void> {
    await Promise.all(this.readers.map((r) => r.slots.close()));
  }
}

/** The demo's trust settings for a test PKI: its root, and every issuing CA it has of those the portal takes. */
export function demoTrust(pki: TestPki): Pick<PortalOptions, 'trustAnchors' | 'intermediates'> {
  return {
    trustAnchors: [pki.root.certificate],
    intermediates: (['moica', 'gca', 'xca', 'moeaca'] as const)
      .filter((a) => pki.authorities.includes(a))
      .map((a) => pki.issuer(a).certificate),
  };
}

/** A port from the environment, or `fallback`; a clear error for anything that is not one. */
function portFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new PortalConfigError(name, `must be a port number (1–65535), not ${JSON.stringify(text)}`);
  return port;
}

/**
 * The portal's logger from `PORTAL_LOG_LEVEL`: pino's JSON lines on stdout at that level, or none (unset or
 * `silent`: nothing is logged, as `startPortal` without a `logger`). An unknown level is a {@link PortalConfigError}.
 */
export function demoLogger(): FastifyBaseLogger | undefined {
  const level = logLevelOf(fromOptionOrEnv<string>(undefined, 'logger', 'PORTAL_LOG_LEVEL'));
  return level === undefined || level === 'silent' ? undefined : pino({ level });
}

/**
 * Starts sink, portal and agent for a walk through the systems; stops them on
 * Ctrl-C. `PORT`, `SMTP_PORT` and `AGENT_PORT` move them (pages reach the agent
 * at `http://localhost:AGENT_PORT`, default 61161 as the official component);
 * `PORTAL_LOG_LEVEL` has the portal log at that level ({@link demoLogger}).
 * If any part cannot start (a port in use), the parts already started are
 * stopped and the error is thrown: the demo never runs half-started.
 */
export async function runDemo(start: (options: PortalOptions) => Promise<Portal>): Promise<void> {
  const usePcsc = process.argv.includes('--pcsc');
  const agentPort = portFromEnv('AGENT_PORT', 61161);
  // Checked with the other settings, before anything starts.
  const logger = demoLogger();
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    await startParts(start, { usePcsc, agentPort, logger }, stops);
  } catch (error) {
    await stopAll();
    throw error;
  }
  process.once('SIGINT', () => void stopAll());
}

/** A part's start, with a port already taken reported as the variable that moves it. */
async function listening<T>(variable: string, start: Promise<T>): Promise<T> {
  try {
    return await start;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') throw new PortalConfigError(variable, `the port cannot be opened (${code}${code === 'EADDRINUSE' ? ': in use by another process' : ''}); set ${variable} to another`, { cause: error });
    throw error;
  }
}

/** The demo's settings read from the command line and the environment before any part starts. */
interface DemoSettings {
  readonly usePcsc: boolean;
  readonly agentPort: number;
  readonly logger: FastifyBaseLogger | undefined;
}

async function startParts(start: (options: PortalOptions) => Promise<Portal>, settings: DemoSettings, stops: Array<() => Promise<void>>): Promise<void> {
  const { usePcsc, agentPort, logger } = settings;
  const pki = await createTestPki();
  const sink = await listening('SMTP_PORT', startMailSink({ port: portFromEnv('SMTP_PORT', 2525) }));
  stops.push(() => sink.close());
  // Started with a deployment's settings (startPortal reads the same two), the demo keeps no mailbox open to all and
  // no password of its own: the reviewer's comes from the environment, or the start stops naming it.
  const deploying = Boolean(process.env.PORTAL_PUBLIC_ORIGIN) || process.env.NODE_ENV === 'production';
  const demoPassword = process.env.PORTAL_REVIEWER_PASSWORD ?? (deploying ? undefined : DEMO_REVIEWER_PASSWORD);
  const portal = await start({
    // PORT: read (and checked) by startPortal itself.
    systems: [
      gpsSystem({ ems: DEMO_EMS_RECORDS }),
      gepiSystem({ agencies: DEMO_AGENCIES }),
      wasteSystem({ companies: DEMO_COMPANIES }),
      officialSystem({ members: DEMO_MEMBERS, agencies: DEMO_OID_AGENCIES, personnel: DEMO_PERSONNEL }),
    ],
    ...demoTrust(pki),
    smtp: { host: sink.host, port: sink.port },
    // PORTAL_REVIEWER_PASSWORD_HASH (startPortal reads it) wins over a password in the environment.
    ...(process.env.PORTAL_REVIEWER_PASSWORD_HASH || demoPassword === undefined ? {} : { reviewerPassword: demoPassword }),
    ...(deploying ? {} : { devMailbox: () => sink.messages }),
    agentUrl: `http://localhost:${agentPort}`,
    ...(logger === undefined ? {} : { logger }),
  });
  stops.push(() => portal.close());
  let slots: CardSlots;
  if (usePcsc) {
    slots = await PcscCardSlots.open();
  } else {
    const citizen = new EmulatorReader({ name: 'twpki virtual reader 1' });
    citizen.insert(await demoCard(pki, { authority: 'moica', cardNumber: 'TP03000012345678', pin: '123456', idHint: '6789' }));
    const agency = new EmulatorReader({ name: 'twpki virtual reader 2' });
    agency.insert(await demoCard(pki, { authority: 'gca', cardNumber: 'GC03000000000001', pin: '123456', organizationOid: DEMO_AGENCY_OID }));
    // A 工商憑證 (MOEACA) of the waste system's demo company, for its 啟用 and 憑證登入.
    const company = new EmulatorReader({ name: 'twpki virtual reader 3' });
    const moeaca = await pki.issueCardHolder({ authority: 'moeaca', businessId: '12345675', commonName: '範例環保股份有限公司' });
    company.insert(new VirtualHiCOSCard({ pin: '123456', cardNumber: 'MC03000000000001', credentials: virtualCardCredentials(moeaca) }));
    slots = new DemoReaders([
      { name: citizen.name, slots: new EmulatorCardSlots(citizen) },
      { name: agency.name, slots: new EmulatorCardSlots(agency) },
      { name: company.name, slots: new EmulatorCardSlots(company) },
    ]);
  }
  stops.push(() => slots.close());
  const agent = await listening('AGENT_PORT', startAgent({ slots, trusted: [portal.url], port: agentPort }));
  stops.push(() => agent.close());
  console.log(`入口網    ${portal.url}/`);
  console.log(`GPS       ${portal.url}/gps/   (管制編號 E5600123; EMS data in examples/portal/demo-setup.ts)`);
  console.log(`GEPI      ${portal.url}/gepi/  (機關代號 A1001, 身分證統一編號 A123456789)`);
  console.log(`廢棄物    ${portal.url}/waste/  (統一編號 12345675 → 載入; its 工商憑證 MC03000000000001 is in virtual reader 3)`);
  console.log(`公務帳號  ${portal.url}/official/  (會員 wang6789 = the virtual citizen card's holder, 機關OID ${DEMO_OID_AGENCIES[1]?.oid ?? ''})`);
  const reviewerPassword = process.env.PORTAL_REVIEWER_PASSWORD_HASH ? '(PORTAL_REVIEWER_PASSWORD_HASH)' : process.env.PORTAL_REVIEWER_PASSWORD ? '(PORTAL_REVIEWER_PASSWORD)' : DEMO_REVIEWER_PASSWORD;
  console.log(`審核人員  ${portal.url}/review/login   password: ${reviewerPassword}`);
  console.log(`信箱      ${deploying ? '(no /dev/mailbox in a deployment)' : `${portal.url}/dev/mailbox`}   (SMTP sink on ${sink.host}:${sink.port})`);
  console.log(`agent     ${agent.url}  ${usePcsc ? '(pcscd readers)' : '(virtual citizen card TP03000012345678 and agency card GC03000000000001, PIN 123456)'}`);
  console.log(`store     ${process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite'}`);
}
