/**
 * The official account system (seed emic-egov-official-account, 我的E政府「公務帳號」申請):
 * a member reference (the host's general accounts: here a demo member login, each
 * synchronized with whether its 啟動連結 was clicked; one not activated cannot apply),
 * 申請公務帳號 (自然人轉公務員: 新機關OID with 查詢機關OID, 新機關名稱, 申請原因, the
 * attestation, 「請確認是否要申請？」) → the automatic personnel check (a demo
 * personnel system) → approved at once, or the printable 我的E政府公務帳號申請書 →
 * 收件 by the service desk (arrival in Taiwan time, correctable until the
 * decision) → reviewer queue (overdue ones marked) → notice
 * mail; 憑證上傳 and 憑證登入. Each route is one `OfficialAccountFlow` command.
 */
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  OFFICIAL_FORM_CHANNEL_LABELS,
  OFFICIAL_MEMBER_TYPE_LABELS,
  OfficialAccountFlow,
  StaticAgencyDirectory,
  renderOfficialApplicationForm,
  type Actor,
  type Agency,
  type AgencyDirectory,
  type OfficialAccountApplication,
  type OfficialMemberInput,
  type PersonnelCheckResult,
  type PersonnelQuery,
  type PersonnelSystem,
} from 'twpki/enroll';
import { parseAgencyOid } from 'twpki/enroll/advanced';
import { cardViewOf } from '../core/card-view.js';
import { PageError, field, type PortalContext, type PortalSystem } from '../core/portal.js';

declare module 'fastify' {
  interface Session {
    /** 會員帳號 this browser is logged in as (demo login or 憑證登入). */
    officialMember?: string;
  }
}

/** One person in the demo personnel system (行政院人事行政總處): who serves where. */
export interface PersonnelRecord {
  /** 身分證統一編號 */
  readonly nationalId: string;
  /** 姓名 */
  readonly name: string;
  /** OIDs of the agencies the person serves in. */
  readonly agencyOids: readonly string[];
}

/** Settings of the official account system. */
export interface OfficialSettings {
  /**
   * The host's general accounts (一般帳號) as the SDK's member reference, with `activatedAt` (the 啟動連結 clicked,
   * or `null`); synchronized at start.
   */
  readonly members: readonly OfficialMemberInput[];
  /** The OID directory behind 查詢機關OID and 新機關名稱: a directory, or plain records checked at start. */
  readonly agencies: AgencyDirectory | ReadonlyArray<{ readonly oid: string; readonly name: string }>;
  /** The personnel system: a real client, or the records of a demo one. */
  readonly personnel: PersonnelSystem | readonly PersonnelRecord[];
}

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));
const TAIPEI_OFFSET_MS = 8 * 3_600_000;
const DATETIME_LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/**
 * A datetime-local value (`2026-03-09T08:30`, seconds optional) read as Taiwan time: the desk types the time on
 * the fax, and the server's own time zone must not move it. Empty is `undefined` (now); anything else goes to
 * the SDK unchanged, which refuses it naming `receivedAt`.
 */
function taipeiInstant(value: unknown): unknown {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !DATETIME_LOCAL.test(value)) return value;
  return `${value.length === 16 ? `${value}:00` : value}+08:00`;
}
const SYSTEM: Actor = { role: 'system', id: 'portal-official' };

/**
 * A demo personnel system over fixed records: each item `match` or `mismatch`.
 * A deployment calls 行政院人事行政總處 instead.
 */
export class DemoPersonnelSystem implements PersonnelSystem {
  /** Uses `records` as everyone the personnel system knows. */
  public constructor(private readonly records: readonly PersonnelRecord[]) {}

  /** Compares the member's name, ID and the applied agency with the record of that ID. */
  public check(query: PersonnelQuery): Promise<PersonnelCheckResult> {
    const r = this.records.find((p) => p.nationalId === query.nationalId);
    return Promise.resolve({
      nationalId: r ? 'match' : 'mismatch',
      name: r && r.name === query.name ? 'match' : 'mismatch',
      agency: r && r.agencyOids.includes(query.agencyOid) ? 'match' : 'mismatch',
    });
  }
}

/** The official account system for the portal. */
export function officialSystem(settings: OfficialSettings): PortalSystem {
  return {
    id: 'official',
    title: '我的E政府 公務帳號',
    links: [
      ['會員登入', '/official/'],
      ['申請公務帳號', '/official/apply'],
      ['憑證上傳', '/official/upload'],
      ['憑證登入', '/official/login'],
      ['公務帳號申請審核 (審核人員)', '/official/review'],
    ],
    register: (app, ctx) => registerOfficial(app, ctx, settings),
  };
}

async function registerOfficial(app: FastifyInstance, ctx: PortalContext, settings: OfficialSettings): Promise<void> {
  const personnel = Array.isArray(settings.personnel) ? new DemoPersonnelSystem(settings.personnel as PersonnelRecord[]) : (settings.personnel as PersonnelSystem);
  const flow = new OfficialAccountFlow({
    store: ctx.store,
    clock: ctx.clock,
    agencies: Array.isArray(settings.agencies)
      ? new StaticAgencyDirectory(settings.agencies.map((a: { oid: string; name: string }): Agency => ({ oid: parseAgencyOid(a.oid, 'agencies.oid'), name: a.name })))
      : (settings.agencies as AgencyDirectory),
    personnel,
    mailer: ctx.mailer,
  });
  // The host's general accounts exist before anyone applies: keep the member reference in step.
  for (const member of settings.members) await flow.syncMember(member, SYSTEM);

  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/official/assets/', decorateReply: false });
  const sendPage = (file: string) => async (_request: FastifyRequest, reply: FastifyReply) => reply.sendFile(file, PUBLIC_DIR);
  const memberPage = (file: string) => async (request: FastifyRequest, reply: FastifyReply) =>
    request.session.get('officialMember') ? reply.sendFile(file, PUBLIC_DIR) : reply.redirect('/official/');
  app.get('/official/', sendPage('index.html'));
  app.get('/official/login', sendPage('login.html'));
  app.get('/official/member', memberPage('member.html'));
  app.get('/official/apply', memberPage('apply.html'));
  app.get('/official/upload', memberPage('upload.html'));
  app.get('/official/review', { preHandler: ctx.requireReviewer }, sendPage('review.html'));

  const member = (request: FastifyRequest): string => {
    const id = request.session.get('officialMember');
    if (id === undefined) throw new PageError(401, 'NOT_LOGGED_IN', '請先登入會員');
    return id;
  };
  const applicant = (memberId: string): Actor => ({ role: 'applicant', id: memberId });
  // The desk reads Taiwan time: a due time of Monday 00:00 in Taipei is not "Sunday 16:00Z".
  const taipeiTime = (iso: string): string => new Date(iso).toLocaleString('zh-TW', { timeZone: 'Asia/Taipei', hour12: false });
  // The same instant as a datetime-local value in Taiwan time (UTC+8, no daylight saving), to edit a 收件.
  const taipeiLocal = (iso: string): string => new Date(Date.parse(iso) + TAIPEI_OFFSET_MS).toISOString().slice(0, 19);
  const applicationView = (a: OfficialAccountApplication, overdue = false): Record<string, unknown> => ({
    id: a.id,
    status: a.status,
    memberId: a.memberId,
    applicantName: a.applicantName ?? '',
    item: a.item ?? '',
    agencyOid: a.agencyOid,
    agencyName: a.agencyName,
    reason: a.reason,
    attempt: a.attempt,
    personnelCheck: a.personnelCheck ?? null,
    reviewDueAt: a.reviewDueAt === undefined ? '' : taipeiTime(a.reviewDueAt),
    overdue,
    // 收件 of the form's office row: 傳真 / E-mail and when.
    formReceived: a.formReceipt ? `${OFFICIAL_FORM_CHANNEL_LABELS[a.formReceipt.channel]} ${taipeiTime(a.formReceipt.receivedAt)}` : '',
    // What the 更正收件 form starts from, and the version it was read at (a correction made meanwhile is refused).
    receipt: a.formReceipt ? { channel: a.formReceipt.channel, receivedAt: taipeiLocal(a.formReceipt.receivedAt) } : null,
    version: a.version,
    reviewNote: a.reviewNote ?? '',
  });

  // 會員登入 (demo): the host's general account login stands here; no password in the example.
  app.post('/official/api/login', async (request) => {
    const id = field(request.body, 'memberId');
    const known = settings.members.find((m) => m.memberId === id);
    if (known === undefined) throw new PageError(401, 'LOGIN_FAILED', '帳號不存在');
    await request.session.regenerate();
    request.session.set('officialMember', known.memberId);
    return { memberId: known.memberId };
  });
  // The demo login lets an account in before its 啟動連結 is clicked, so its 個人資料 and the refusal to apply show.
  app.get('/official/api/members', async () => {
    const members = await Promise.all(settings.members.map((m) => flow.member(m.memberId)));
    return { members: members.map((m) => ({ memberId: m.memberId, name: m.name, activated: m.activatedAt !== undefined })) };
  });
  app.post('/official/api/logout', async (request) => {
    await request.session.destroy();
    return { ok: true };
  });

  // 個人資料: 一般民眾 / 公務人員, 所屬機關或單位, the uploaded card, the applications.
  app.get('/official/api/me', async (request) => {
    const id = member(request);
    const [me, card, applications] = await Promise.all([flow.member(id), flow.certificate(id), flow.applications(id)]);
    return {
      memberId: me.memberId,
      name: me.name,
      email: me.email,
      memberType: OFFICIAL_MEMBER_TYPE_LABELS[me.memberType],
      // 帳號狀態: activated (the 啟動連結 clicked, when) or not; an account not activated cannot apply.
      activatedAt: me.activatedAt === undefined ? null : taipeiTime(me.activatedAt),
      agencyName: me.agencyName ?? '',
      card: card ? { cardNumber: card.cardNumber, holderName: card.holderName, certificateSerial: card.certificateSerial } : null,
      applications: applications.map((a) => applicationView(a)),
    };
  });

  // 查詢機關OID and the 新機關名稱 autofill.
  app.get('/official/api/agencies', async (request) => {
    const name = String((request.query as Record<string, unknown>).name ?? '');
    return { agencies: await flow.searchAgencies(name, 20) };
  });
  app.get('/official/api/agencies/:oid', async (request) => flow.agencyFor((request.params as { oid: string }).oid));

  // 送出資料 → 「請確認是否要申請？」 (no write) → 確定 → apply (personnel check; approved at once or 申請書).
  const input = (request: FastifyRequest, memberId: string) => ({
    memberId,
    agencyOid: String(field(request.body, 'agencyOid') ?? ''),
    reason: String(field(request.body, 'reason') ?? ''),
    attested: field(request.body, 'attested') === true,
  });
  app.post('/official/api/applications/prepare', async (request) => {
    const id = member(request);
    const preview = await flow.prepareApplication(input(request, id), applicant(id));
    return { agencyName: preview.agencyName, item: preview.item, notice: preview.notice, question: preview.question };
  });
  app.post('/official/api/applications', async (request, reply) => {
    const id = member(request);
    const application = await flow.apply(input(request, id), applicant(id));
    return reply.code(201).send(applicationView(application));
  });
  app.post('/official/api/applications/:id/cancel', async (request) => {
    const application = await flow.cancel((request.params as { id: string }).id, applicant(member(request)));
    return applicationView(application);
  });
  // 我的E政府公務帳號申請書: the member's own, or any for a reviewer.
  app.get('/official/applications/:id/form', async (request, reply) => {
    const { id } = request.params as { id: string };
    const application = await flow.get(id);
    if (request.session.get('reviewer') !== true && application.memberId !== request.session.get('officialMember')) {
      throw new PageError(403, 'FORBIDDEN', '無權限檢視此申請書');
    }
    return reply.type('text/html; charset=utf-8').send(renderOfficialApplicationForm(await flow.applicationForm(id)));
  });

  // 憑證上傳 and 憑證登入 (a citizen card whose holder is the member).
  ctx.cardStep(
    app,
    '/official/card/upload',
    async (login, request) => {
      const id = member(request);
      const card = cardViewOf(login);
      const bound = await flow.uploadCertificate(id, card.holder, applicant(id));
      return { cardNumber: bound.cardNumber, holderName: bound.holderName };
    },
    member,
  );
  ctx.cardStep(app, '/official/card/login', async (login, request) => {
    const me = await flow.certificateLogin(cardViewOf(login).holder);
    await request.session.regenerate();
    request.session.set('officialMember', me.memberId);
    return { memberId: me.memberId, name: me.name };
  });

  // 審核 (reviewer login required): 申請書 waiting for 收件, received ones (the working day counts from 收件), and,
  // without a personnel system, the plain queue; the ones past their working day are marked 逾期.
  app.get('/official/api/review/applications', { preHandler: ctx.requireReviewer }, async () => {
    const [waiting, received, plain, late] = await Promise.all([
      flow.reviewQueue({ status: 'manualReview', limit: 50, offset: 0 }),
      flow.reviewQueue({ status: 'formReceived', limit: 50, offset: 0 }),
      flow.reviewQueue({ status: 'underReview', limit: 50, offset: 0 }),
      flow.overdueReviews({ limit: 500 }),
    ]);
    const overdue = new Set(late.items.map((a) => a.id));
    return { applications: [...waiting.items, ...received.items, ...plain.items].map((a) => applicationView(a, overdue.has(a.id))) };
  });
  app.post('/official/api/review/applications/:id/:action', { preHandler: ctx.requireReviewer }, async (request) => {
    const { id, action } = request.params as { id: string; action: string };
    // The SDK names a bad channel or arrival (INVALID_INPUT, field channel / receivedAt): the page shows it.
    const channel = field(request.body, 'channel') as 'fax' | 'email';
    if (action === 'receive') {
      // 收件: the 申請書 came by fax or e-mail, when the desk says (a fax in overnight), else now.
      const receivedAt = taipeiInstant(field(request.body, 'receivedAt'));
      return applicationView(await flow.receiveForm(id, { channel, ...(receivedAt === undefined ? {} : { receivedAt: receivedAt as string }) }, ctx.reviewer));
    }
    if (action === 'correct-receipt') {
      // 更正收件: a mistyped arrival or channel, from the version the page showed; the reason goes to the audit trail.
      const version = field(request.body, 'version');
      const reason = field(request.body, 'reason');
      // The form starts from the recorded arrival cut to whole seconds: sent back as it was, it keeps the arrival
      // (a channel-only correction must not move it, nor audit a change of time nobody made).
      const typed = field(request.body, 'receivedAt');
      const recorded = (await flow.get(id)).formReceipt?.receivedAt;
      const receivedAt = recorded !== undefined && typed === taipeiLocal(recorded) ? recorded : (taipeiInstant(typed) as string);
      const correction = { channel, receivedAt, ...(version === undefined ? {} : { expectedVersion: version as number }) };
      return applicationView(await flow.correctFormReceipt(id, correction, ctx.reviewer, typeof reason === 'string' && reason.trim() !== '' ? reason : undefined));
    }
    const note = field(request.body, 'reason');
    if (action === 'approve') return applicationView(await flow.approve(id, ctx.reviewer, typeof note === 'string' && note !== '' ? note : undefined));
    if (action !== 'reject') throw new PageError(404, 'NOT_FOUND', '無此功能');
    return applicationView(await flow.reject(id, ctx.reviewer, typeof note === 'string' ? note : ''));
  });
}
