/**
 * GEPI (seed gepi-org-cert-registration-and-assignment, 公保網路作業 e 系統
 * 第三章 憑證註冊與指派作業): 首次註冊 with the agency certificate and the
 * authorized administrator's citizen card (OID mismatch at 機關憑證確認 → 申請人確認 →
 * manual review, filed at once), 授權指派 (新增 / 修改 / 刪除 授權經辦人), 更換憑證 (three
 * sub-functions), 查詢作業 (three queries) and the reviewer's manual-review
 * page. Each route is one `OrgRegistrationFlow` command or query.
 */
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VerifiedLogin } from 'twpki/cert';
import {
  EnrollError,
  InvalidInputError,
  OrgRegistrationFlow,
  StaticAgencyDirectory,
  type Agency,
  type AgencyDirectory,
  type BusinessCalendar,
  type FieldIssue,
  type OrgRegistration,
  type ReplaceInput,
} from 'twpki/enroll';
import { parseAgencyOid, parseBusinessId } from 'twpki/enroll/advanced';
import { defaultMessages } from 'twpki/messages';
import { cardViewOf, publicView, type CardView } from '../core/card-view.js';
import { PageError, field, type PortalContext, type PortalSystem } from '../core/portal.js';

declare module 'fastify' {
  interface Session {
    /** The 機關代號 typed at 機關憑證確認. */
    gepiAgencyCode?: string;
    /** The 身分證統一編號 typed at 自然人憑證確認 (checked against the card's ID hint). */
    gepiNationalId?: string;
  }
}

/** One agency as configured: 機關代號, name, OID (and 統一編號 for MOEACA certificates). */
export interface AgencyRecord {
  /** 公保機關代號 */
  readonly agencyCode: string;
  /** 機關名稱 */
  readonly name: string;
  /** The OID its organization certificate carries. */
  readonly oid: string;
  /** 統一編號, for a MOEACA certificate. */
  readonly businessId?: string;
}

/** Settings of the GEPI system. */
export interface GepiSettings {
  /** Agency code (公保機關代號) → expected organization OID / 統一編號: a directory, or plain records checked at start. */
  readonly agencies: AgencyDirectory | readonly AgencyRecord[];
  /** 功能選單項目 an operator may be given. */
  readonly permissions?: readonly string[];
  /** Version of the 用戶約定條款 (consent is recorded per sub-function). */
  readonly termsVersion?: string;
  /** Office calendar for the next-business-day rule (default Taiwan's). */
  readonly calendar?: BusinessCalendar;
}

/** The example's function menu (the seed names none; a deployment lists its own). */
export const GEPI_EXAMPLE_PERMISSIONS = ['要保機關資料維護', '加保作業', '退保作業', '異動作業', '保險費查詢'] as const;

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));
const REPLACEMENTS = {
  organization: 'replaceOrganizationCertificate',
  administrator: 'replaceAdministratorCard',
  both: 'replaceBoth',
} as const;
type ReplacementKind = keyof typeof REPLACEMENTS;

/** The GEPI system for the portal. */
export function gepiSystem(settings: GepiSettings): PortalSystem {
  return {
    id: 'gepi',
    title: '公保網路作業 e 系統 — 憑證註冊與指派作業 (GEPI)',
    links: [
      ['首次註冊', '/gepi/register'],
      ['授權指派', '/gepi/assign'],
      ['更換機關憑證', '/gepi/replace/organization'],
      ['更換授權管理者自然人憑證', '/gepi/replace/administrator'],
      ['更換機關憑證和更換授權管理者自然人憑證', '/gepi/replace/both'],
      ['查詢憑證註冊收件紀錄', '/gepi/query/records'],
      ['查詢機關憑證 OID', '/gepi/query/oid'],
      ['查詢自然人憑證序號', '/gepi/query/serial'],
      ['首次註冊審核 (審核人員)', '/gepi/review'],
    ],
    register: (app, ctx) => registerGepi(app, ctx, settings),
  };
}

function registrationView(reg: OrgRegistration): Record<string, unknown> {
  return {
    agencyCode: reg.agencyCode,
    status: reg.status,
    organizationName: reg.organizationName,
    organizationIdentifier: reg.organizationIdentifier,
    organizationCertificateSerial: reg.organizationCertificateSerial,
    administrator: reg.administrator ?? null,
    reviewContact: reg.reviewContact ?? null,
    retryNotBefore: reg.retryNotBefore ?? null,
  };
}

/** What a card that is not the agency's own may see of its registration: the state, none of the people. */
function registrationStateView(reg: OrgRegistration): Record<string, unknown> {
  return { agencyCode: reg.agencyCode, status: reg.status, retryNotBefore: reg.retryNotBefore ?? null };
}

async function registerGepi(app: FastifyInstance, ctx: PortalContext, settings: GepiSettings): Promise<void> {
  const agencies = Array.isArray(settings.agencies)
    ? new StaticAgencyDirectory(
        (settings.agencies as readonly AgencyRecord[]).map((a): Agency => ({
          agencyCode: a.agencyCode,
          name: a.name,
          oid: parseAgencyOid(a.oid, 'agencies.oid'),
          ...(a.businessId === undefined ? {} : { businessId: parseBusinessId(a.businessId, 'agencies.businessId') }),
        })),
      )
    : (settings.agencies as AgencyDirectory);
  const permissions = settings.permissions ?? GEPI_EXAMPLE_PERMISSIONS;
  const termsVersion = settings.termsVersion ?? '2026-01';
  const flow = new OrgRegistrationFlow({
    store: ctx.store,
    clock: ctx.clock,
    agencies,
    permissions,
    termsVersion,
    // The manual: 授權管理者自然人憑證更換或展期，皆須進入本項功能變更註冊資料 (and an operator's 展期 waits for 修改).
    renewal: 'replace',
    // The manual: the 授權管理者身分證統一編號 is 必填 at 授權管理者自然人憑證確認, so no 授權指派 call goes without it
    // (the SDK compares it with the card and with the registered administrator's).
    requireAdministratorNationalId: true,
    ...(settings.calendar ? { calendar: settings.calendar } : {}),
  });

  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/gepi/assets/', decorateReply: false });
  const sendPage = (file: string) => async (_request: FastifyRequest, reply: FastifyReply) => reply.sendFile(file, PUBLIC_DIR);
  app.get('/gepi/', sendPage('index.html'));
  for (const path of ['/gepi/register', '/gepi/assign', '/gepi/replace/organization', '/gepi/replace/administrator', '/gepi/replace/both']) {
    app.get(path, sendPage('functions.html'));
  }
  for (const path of ['/gepi/query/records', '/gepi/query/oid', '/gepi/query/serial']) app.get(path, sendPage('query.html'));
  app.get('/gepi/review', { preHandler: ctx.requireReviewer }, sendPage('review.html'));
  app.get('/gepi/api/config', async () => ({ termsVersion, permissions }));

  const agencyCode = (request: FastifyRequest): string => {
    const code = request.session.get('gepiAgencyCode');
    if (code === undefined) throw new PageError(409, 'NO_AGENCY_CODE', '請先輸入機關代號並完成機關憑證確認');
    return code;
  };
  // Refusals after verification are twpki errors: the card-login plugin answers them with their catalogue message.
  const organizationCard = (login: VerifiedLogin): CardView => {
    const card = cardViewOf(login);
    if (card.holder.authority === 'MOICA') throw new EnrollError('WRONG_CARD_TYPE', 'GEPI: an organization certificate (機關憑證) is required');
    return card;
  };
  const citizenCard = (login: VerifiedLogin): CardView => {
    const card = cardViewOf(login);
    if (card.holder.authority !== 'MOICA') throw new EnrollError('WRONG_CARD_TYPE', 'GEPI: a citizen card (自然人憑證) is required');
    return card;
  };
  /** The page's answer to an issue of a typed 身分證統一編號: its own code, the catalogue's words (one source). */
  const idAnswer = (issue: FieldIssue): PageError => {
    const page = issue.code === 'MISMATCH' ? 'NATIONAL_ID_MISMATCH' : issue.code === 'NOT_ON_RECORD' ? 'NATIONAL_ID_NOT_ADMINISTRATOR' : 'NATIONAL_ID_INVALID';
    return new PageError(400, page, defaultMessages.cardHolderIdMessages(issue).zhTW);
  };
  /**
   * Runs the SDK's check of a 身分證統一編號 typed beside a verified citizen card (`field` is the key the SDK names)
   * and answers its refusal with this page's codes: the rule is the SDK's (`idHintRule`), and so are the words.
   */
  const checkedId = <T>(idField: string, check: () => T): T => {
    try {
      return check();
    } catch (err) {
      const issue = err instanceof InvalidInputError ? err.issues.find((i) => i.field === idField) : undefined;
      if (issue === undefined) throw err;
      throw idAnswer(issue);
    }
  };
  /**
   * A 身分證統一編號 that agrees with the card but is not the registered 授權管理者's: the SDK compares it once both
   * cards are found registered (each 授權指派 call, 更換機關憑證), naming `idField` with `NOT_ON_RECORD` (a `MISMATCH`
   * is the card's hint, checked at (二)). This page's code, the catalogue's words.
   */
  const asRegisteredAdministrator = async <T>(idField: string, command: () => Promise<T>): Promise<T> => {
    try {
      return await command();
    } catch (err) {
      const issue = err instanceof InvalidInputError ? err.issues.find((i) => i.field === idField && i.code === 'NOT_ON_RECORD') : undefined;
      if (issue === undefined) throw err;
      throw idAnswer(issue);
    }
  };
  const administratorSession = (request: FastifyRequest): { organizationCard: CardView; administratorCard: CardView } => ({
    organizationCard: ctx.cards.get(request.session, 'gepi.org', '請先完成機關憑證確認'),
    administratorCard: ctx.cards.get(request.session, 'gepi.admin', '請先完成授權管理者自然人憑證確認'),
  });

  // (一) 機關憑證確認 / (二) 自然人憑證確認: what is typed beside the card, then the card step.
  app.post('/gepi/api/agency-code', async (request) => {
    const code = String(field(request.body, 'agencyCode') ?? '').trim();
    if (!/^[A-Za-z0-9-]{1,20}$/.test(code)) throw new PageError(400, 'AGENCY_CODE_INVALID', '請輸入機關代號（英數字，最多 20 碼）');
    request.session.set('gepiAgencyCode', code);
    ctx.cards.drop(request.session, 'gepi.org', 'gepi.admin');
    return { agencyCode: code };
  });
  ctx.cardStep(app, '/gepi/card/organization', async (login, request) => {
    const code = agencyCode(request);
    const card = organizationCard(login);
    ctx.cards.put(request.session, 'gepi.org', card);
    // Where 首次註冊 stands for this card (the SDK's rule, the one `register` and `requestReview` apply); the other
    // functions use the step too, so an unknown 機關代號 is answered by their commands, not here.
    const check = await flow.checkOrganizationCard(code, card.holder).catch((err: unknown) => {
      if (err instanceof EnrollError && err.code === 'NOT_FOUND') return undefined;
      throw err;
    });
    const registration = await flow.get(code).catch((err: unknown) => {
      if (err instanceof EnrollError && err.code === 'NOT_FOUND') return undefined;
      throw err;
    });
    const matches = check?.oidMatches ?? false;
    // The registration's people (授權管理者, 申請人) only to the agency's own card: the directory's, or the one the
    // registration was made with (the SDK's rule: CA, serial and identifier; a serial alone is any CA's, any
    // organization's). Any other organization card learns its state, which the flow tells it anyway.
    const own = registration !== undefined && (matches || check?.recordedCard === true);
    const shown = registration === undefined ? null : own ? registrationView(registration) : registrationStateView(registration);
    const firstRegistration = check === undefined ? null : {
      outcome: check.outcome,
      message: 'message' in check ? check.message : null,
      retryNotBefore: 'retryNotBefore' in check ? check.retryNotBefore : null,
    };
    return {
      ...publicView(card), agencyCode: code, agencyKnown: check !== undefined, oidMatches: matches,
      contactNeeded: check?.outcome === 'reviewNeeded', firstRegistration, registration: shown,
    };
  }, agencyCode);
  // The card step keeps the citizen card; the typed 身分證統一編號 is then checked against it.
  ctx.cardStep(app, '/gepi/card/administrator', async (login, request) => {
    ctx.cards.put(request.session, 'gepi.admin-unchecked', citizenCard(login));
    return { ok: true };
  });
  app.post('/gepi/api/administrator', async (request) => {
    const card = ctx.cards.get(request.session, 'gepi.admin-unchecked', '請先完成授權管理者自然人憑證確認');
    const typed = field(request.body, 'nationalId') as string;
    const nationalId = checkedId('administratorNationalId', () => flow.confirmAdministratorCard(card.holder, typed)).administratorNationalId;
    // Both cards verified: from here the session acts as the agency's administrator, under a new id (an id planted
    // in the browser before the card steps would otherwise act as the administrator too).
    const organizationCard = ctx.cards.get(request.session, 'gepi.org', '請先完成機關憑證確認');
    const code = agencyCode(request);
    await request.session.regenerate();
    request.session.set('gepiAgencyCode', code);
    ctx.cards.put(request.session, 'gepi.org', organizationCard);
    request.session.set('gepiNationalId', nationalId);
    ctx.cards.put(request.session, 'gepi.admin', card);
    return publicView(card);
  });

  // 首次註冊 (一) 機關憑證比對不符 → 申請人確認 → 送出申請 (圖3-6/3-7): the card of step (一) and the 申請人's 姓名 and
  // 電話; no administrator card yet. The reviewer's approval opens the full 首次註冊 with this card.
  app.post('/gepi/api/review-request', async (request) => {
    const code = agencyCode(request);
    const organization = ctx.cards.get(request.session, 'gepi.org', '請先完成機關憑證確認');
    const body = request.body as Record<string, unknown>;
    const registration = await flow.requestReview({
      agencyCode: code,
      organizationCard: organization.holder,
      applicant: field(body, 'applicant') as { name: string; phone: string },
      acceptedTerms: field(body, 'acceptedTerms') as string,
    });
    return registrationView(registration);
  });

  // 首次註冊 (三): both cards, 用戶約定條款, 授權管理者 contact. A mismatching card was filed for review at (一).
  app.post('/gepi/api/register', async (request) => {
    const code = agencyCode(request);
    const cards = administratorSession(request);
    const body = request.body as Record<string, unknown>;
    const registration = await flow.register({
      agencyCode: code,
      organizationCard: cards.organizationCard.holder,
      administratorCard: cards.administratorCard.holder,
      administrator: { ...(field(body, 'administrator') as object), nationalId: request.session.get('gepiNationalId') } as ReplaceInput['administrator'],
      acceptedTerms: field(body, 'acceptedTerms') as string,
    });
    return registrationView(registration);
  });

  // 更換憑證: the three sub-functions differ only in which card must be the registered one.
  app.post('/gepi/api/replace/:kind', async (request) => {
    const kind = (request.params as { kind: string }).kind;
    if (!(kind in REPLACEMENTS)) throw new PageError(404, 'NOT_FOUND', '無此功能');
    const code = agencyCode(request);
    const cards = administratorSession(request);
    const body = request.body as Record<string, unknown>;
    const input: ReplaceInput = {
      organizationCard: cards.organizationCard.holder,
      administratorCard: cards.administratorCard.holder,
      administrator: { ...(field(body, 'administrator') as object), nationalId: request.session.get('gepiNationalId') } as ReplaceInput['administrator'],
      acceptedTerms: field(body, 'acceptedTerms') as string,
    };
    const registration = await asRegisteredAdministrator('administrator.nationalId', () => flow[REPLACEMENTS[kind as ReplacementKind]](code, input));
    return registrationView(registration);
  });

  // 授權指派: the list, 新增, 修改, 刪除 — every call authenticated by both registered cards, the SDK checking the
  // 授權管理者身分證統一編號 typed at (二) against the card again and against the registered administrator's. The
  // list follows (二) at once, so a wrong person's ID is answered there.
  const holders = (request: FastifyRequest) => {
    const cards = administratorSession(request);
    return {
      organizationCard: cards.organizationCard.holder,
      administratorCard: cards.administratorCard.holder,
      administratorNationalId: request.session.get('gepiNationalId') ?? '',
    };
  };
  const asAdministrator = <T>(command: () => Promise<T>): Promise<T> => asRegisteredAdministrator('session.administratorNationalId', command);
  app.get('/gepi/api/operators', async (request) => ({ operators: await asAdministrator(() => flow.listOperators(agencyCode(request), holders(request))) }));
  app.post('/gepi/api/operators', async (request) => {
    const operator = await asAdministrator(() => flow.assignOperator(agencyCode(request), holders(request), field(request.body, 'operator') as never));
    return { operator };
  });
  app.post('/gepi/api/operators/:serial/edit', async (request) => {
    const { serial } = request.params as { serial: string };
    const operator = await asAdministrator(() => flow.editOperator(agencyCode(request), holders(request), serial, field(request.body, 'operator') as never));
    return { operator };
  });
  app.post('/gepi/api/operators/:serial/delete', async (request) => {
    const { serial } = request.params as { serial: string };
    return { operators: await asAdministrator(() => flow.removeOperator(agencyCode(request), holders(request), serial)) };
  });

  // 查詢作業
  app.get('/gepi/api/records', async (request) => {
    const code = String((request.query as Record<string, unknown>).agencyCode ?? '').trim();
    if (code === '') throw new PageError(400, 'AGENCY_CODE_INVALID', '請輸入機關代號');
    return { records: await flow.registrationRecords(code) };
  });
  ctx.cardStep(
    app,
    '/gepi/card/query-oid',
    async (login, request) => flow.organizationCertificateOid(organizationCard(login).holder, agencyCode(request)),
    agencyCode,
  );
  ctx.cardStep(app, '/gepi/card/query-serial', async (login, request) => {
    ctx.cards.put(request.session, 'gepi.query-serial', citizenCard(login));
    return { ok: true };
  });
  app.post('/gepi/api/query-serial', async (request) => {
    const card = ctx.cards.get(request.session, 'gepi.query-serial', '請先插入自然人憑證並輸入密碼');
    const found = checkedId('nationalId', () => flow.citizenCertificateSerial(card.holder, field(request.body, 'nationalId') as string));
    ctx.cards.drop(request.session, 'gepi.query-serial');
    return found;
  });

  // 首次註冊審核 (reviewer): registrations whose OID did not match.
  app.get('/gepi/api/review', { preHandler: ctx.requireReviewer }, async () => {
    const page = await flow.reviewQueue({ status: 'manualReview' });
    return { registrations: page.items.map(registrationView) };
  });
  app.post('/gepi/api/review/:agencyCode/:action', { preHandler: ctx.requireReviewer }, async (request) => {
    const { agencyCode: code, action } = request.params as { agencyCode: string; action: string };
    const note = field(request.body, 'note');
    if (action === 'approve') return registrationView(await flow.approveReview(code, ctx.reviewer, typeof note === 'string' && note !== '' ? note : undefined));
    if (action !== 'reject') throw new PageError(404, 'NOT_FOUND', '無此功能');
    return registrationView(await flow.rejectReview(code, ctx.reviewer, typeof note === 'string' ? note : ''));
  });
}
