/**
 * GPS (seed moenv-gps-account-apply-and-card-binding): 自然人憑證帳號申請
 * (管制編號 → 基本資料 + EMS 比對 → 自然人憑證綁定 → 審核中), review with the
 * activation mail to the EMS facility e-mail, 開通, 自然人憑證登入 (a renewed
 * certificate on a bound card takes over its binding), 設定自然人憑證 and
 * 自然人憑證管理 (刪除). Each route is one `AccountEnrollmentFlow` command.
 */
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  EMS_CORRECTION_NOTE,
  InMemoryEmsSource,
  escapeHtml as escapeEms,
  renderResultHtml,
  verifyApplication,
  type ComparisonPolicy,
  type EmsSource,
} from 'twpki/ems';
import {
  AccountEnrollmentFlow,
  BASIC_DATA_FIELDS,
  BASIC_DATA_LABELS,
  EmsLayerAdapter,
  EnrollError,
  type Actor,
  type NoticeBranding,
} from 'twpki/enroll';
import { cardViewOf, publicView, type CardView } from '../core/card-view.js';
import { PageError, escapeHtml, field, type PortalContext, type PortalSystem } from '../core/portal.js';

declare module 'fastify' {
  interface Session {
    /** The GPS application this browser is filling in. */
    gpsApplicationId?: string;
    /** 管制編號 of the GPS account this browser logged into with a card. */
    gpsAccount?: string;
  }
}

/** Settings of the GPS system. */
export interface GpsSettings {
  /** EMS basic-data records (基本資料表C), or any EMS source. */
  readonly ems: EmsSource | Iterable<unknown>;
  /** EMS comparison policy (default the seed's `strict`: 完全一致才算通過). */
  readonly policy?: ComparisonPolicy;
  /** Wording of the notices (default the seed's 毒性及關注化學物質運送車輛即時追蹤系統專區). */
  readonly branding?: NoticeBranding;
}

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));
/** The seed's mail wording. */
const GPS_BRANDING: NoticeBranding = {
  systemName: '毒性及關注化學物質運送車輛即時追蹤系統專區',
  signature: '毒關化物車輛 GPS 客服',
};

/** The applicant actor of a control number's account: the session proves the application, the card the account. */
function applicant(controlNumber: string): Actor {
  return { role: 'applicant', id: `gps-account:${controlNumber.toUpperCase()}` };
}

/** The GPS system for the portal. */
export function gpsSystem(settings: GpsSettings): PortalSystem {
  return {
    id: 'gps',
    title: '毒性及關注化學物質運送車輛即時追蹤系統專區 (GPS)',
    links: [
      ['帳號申請', '/gps/'],
      ['自然人憑證登入', '/gps/login'],
      ['自然人憑證管理', '/gps/cards'],
      ['帳號申請審核 (審核人員)', '/gps/review'],
    ],
    register: (app, ctx) => registerGps(app, ctx, settings),
  };
}

async function registerGps(app: FastifyInstance, ctx: PortalContext, settings: GpsSettings): Promise<void> {
  const ems = Symbol.iterator in settings.ems ? new InMemoryEmsSource(settings.ems as Iterable<unknown>) : (settings.ems as EmsSource);
  const compare = { policy: settings.policy ?? 'strict' } as const;
  const adapter = new EmsLayerAdapter(ems, compare);
  const flow = new AccountEnrollmentFlow({
    store: ctx.store,
    clock: ctx.clock,
    mailer: ctx.mailer,
    ems: adapter,
    emsRecords: adapter,
    activationLink: (token) => `${ctx.origin}/gps/activate?key=${encodeURIComponent(token)}`,
    resultLink: (key) => `${ctx.origin}/gps/result?key=${encodeURIComponent(key)}`,
    branding: settings.branding ?? GPS_BRANDING,
  });

  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/gps/assets/', decorateReply: false });
  const sendPage = (file: string) => async (_request: FastifyRequest, reply: FastifyReply) => reply.sendFile(file, PUBLIC_DIR);
  app.get('/gps/', sendPage('apply.html'));
  app.get('/gps/login', sendPage('login.html'));
  app.get('/gps/cards', async (request, reply) => (request.session.get('gpsAccount') ? reply.sendFile('cards.html', PUBLIC_DIR) : reply.redirect('/gps/login')));
  app.get('/gps/review', { preHandler: ctx.requireReviewer }, sendPage('review.html'));

  const currentApplication = (request: FastifyRequest): string => {
    const id = request.session.get('gpsApplicationId');
    if (id === undefined) throw new PageError(409, 'NO_APPLICATION', '請先輸入管制編號送出申請');
    return id;
  };
  const account = (request: FastifyRequest): string => {
    const cn = request.session.get('gpsAccount');
    if (cn === undefined) throw new PageError(401, 'NOT_LOGGED_IN', '請先以自然人憑證登入');
    return cn;
  };
  const citizenCard = (login: Parameters<typeof cardViewOf>[0]): CardView => {
    const card = cardViewOf(login);
    if (card.holder.authority !== 'MOICA') throw new EnrollError('WRONG_CARD_TYPE', 'GPS: a citizen card (自然人憑證) is required');
    return card;
  };

  // 1. 管制編號 → 送出申請
  app.post('/gps/api/applications', { preHandler: ctx.limitApplications }, async (request, reply) => {
    const controlNumber = field(request.body, 'controlNumber');
    const application = await flow.apply({ controlNumber: controlNumber as string }, applicant(String(controlNumber ?? '')));
    request.session.set('gpsApplicationId', application.id);
    ctx.cards.drop(request.session, 'gps.apply');
    return reply.code(201).send({ applicationId: application.id, controlNumber: application.controlNumber, status: application.status });
  });

  // 2. 帳號申請(1/2)：基本資料填寫 → EMS 比對 (完全一致才算通過)
  app.post('/gps/api/application/basic-data', { preHandler: ctx.limitApplications }, async (request) => {
    const current = await flow.get(currentApplication(request));
    const basicData = field(request.body, 'basicData');
    const application = await flow.submitBasicData(current.id, basicData, applicant(current.controlNumber));
    if (application.status !== 'emsRejected') {
      return { status: application.status, controlNumber: application.controlNumber, companyName: application.basicData?.companyName ?? '' };
    }
    return { status: application.status, controlNumber: application.controlNumber, resultHtml: await resultHtml(ems, compare, application.basicData ?? basicData) };
  });

  // 3. 帳號申請(2/2)：自然人憑證綁定 — 取得憑證資訊 is a card step; 確認送出 binds what it verified.
  ctx.cardStep(
    app,
    '/gps/card/apply',
    async (login, request) => {
      const current = await flow.get(currentApplication(request));
      const card = citizenCard(login);
      ctx.cards.put(request.session, 'gps.apply', card);
      return { ...publicView(card), controlNumber: current.controlNumber, companyName: current.basicData?.companyName ?? '' };
    },
    currentApplication,
  );
  app.post('/gps/api/application/bind', async (request) => {
    const current = await flow.get(currentApplication(request));
    const card = ctx.cards.get(request.session, 'gps.apply', '請先輸入密碼並點選「取得憑證資訊」');
    const contact = { name: field(request.body, 'name'), phone: field(request.body, 'phone'), email: field(request.body, 'email') };
    const application = await flow.bindCard(current.id, { holder: card.holder, contact: contact as { name?: string; phone: string; email: string } }, applicant(current.controlNumber));
    ctx.cards.drop(request.session, 'gps.apply');
    return { status: application.status, controlNumber: application.controlNumber };
  });

  // 5. 審核通過點選連結開通權限 / 6. 審核未通過點選連結確認資料情形
  app.get('/gps/activate', async (request, reply) => {
    const key = String((request.query as Record<string, unknown>).key ?? '');
    try {
      const application = await flow.activate(key);
      return reply.type('text/html; charset=utf-8').send(ctx.page('帳號啟用成功', activatedBody(application.controlNumber)));
    } catch (err) {
      if (!(err instanceof EnrollError)) throw err;
      return reply.code(400).type('text/html; charset=utf-8').send(ctx.page('帳號開通失敗', activationFailedBody(err.code)));
    }
  });
  app.get('/gps/result', async (request, reply) => {
    const key = String((request.query as Record<string, unknown>).key ?? '');
    try {
      return reply.type('text/html; charset=utf-8').send(ctx.page('帳號申請結果', applicationResultBody(await flow.applicationResult(key))));
    } catch (err) {
      if (!(err instanceof EnrollError)) throw err;
      return reply.code(400).type('text/html; charset=utf-8').send(ctx.page('帳號申請結果', activationFailedBody(err.code)));
    }
  });

  // 自然人憑證登入: a renewed certificate on a bound card takes over the binding (renewal policy `automatic`).
  ctx.cardStep(app, '/gps/card/login', async (login, request) => {
    const card = citizenCard(login);
    const controlNumber = await flow.resolveLogin(card.holder);
    await request.session.regenerate();
    request.session.set('gpsAccount', controlNumber);
    return { controlNumber, name: card.name, cardNumber: card.cardNumber, certificateSerial: card.certificateSerial };
  });
  app.get('/gps/api/me', async (request) => ({ account: request.session.get('gpsAccount') ?? null }));
  app.post('/gps/api/logout', async (request) => {
    await request.session.destroy();
    return { ok: true };
  });

  // 自然人憑證管理: the list with 刪除; 設定自然人憑證: another card for the same 管制編號.
  app.get('/gps/api/cards', async (request) => {
    const cards = await flow.listCards(account(request));
    return {
      controlNumber: account(request),
      cards: cards.map((c) => ({ holderName: c.holderName, phone: c.phone, email: c.email, cardNumber: c.cardNumber, certificateSerial: c.certificateSerial, status: c.status })),
    };
  });
  ctx.cardStep(
    app,
    '/gps/card/add',
    async (login, request) => {
      const controlNumber = account(request);
      const card = citizenCard(login);
      ctx.cards.put(request.session, 'gps.add', card);
      return { ...publicView(card), controlNumber };
    },
    account,
  );
  app.post('/gps/api/cards', async (request) => {
    const controlNumber = account(request);
    const card = ctx.cards.get(request.session, 'gps.add', '請先輸入密碼並點選「取得憑證資訊」');
    const contact = { name: field(request.body, 'name'), phone: field(request.body, 'phone'), email: field(request.body, 'email') };
    const binding = await flow.addCard(controlNumber, { holder: card.holder, contact: contact as { name?: string; phone: string; email: string } }, applicant(controlNumber));
    ctx.cards.drop(request.session, 'gps.add');
    return { cardNumber: binding.cardNumber, status: binding.status };
  });
  app.post('/gps/api/cards/:cardNumber/delete', async (request) => {
    const controlNumber = account(request);
    const { cardNumber } = request.params as { cardNumber: string };
    const left = await flow.removeCard(controlNumber, cardNumber, applicant(controlNumber));
    return { cards: left.length };
  });

  // 審核 (reviewer login required)
  app.get('/gps/api/review/applications', { preHandler: ctx.requireReviewer }, async () => {
    const out: object[] = [];
    for (const application of await flow.listByStatus('underReview')) {
      const cards = (await flow.listCards(application.controlNumber)).filter((c) => c.status === 'pending');
      out.push({
        id: application.id,
        controlNumber: application.controlNumber,
        companyName: application.basicData?.companyName ?? '',
        cards: cards.map((c) => ({ cardNumber: c.cardNumber, holderName: c.holderName, phone: c.phone, email: c.email })),
        submittedAt: application.updatedAt,
      });
    }
    return { applications: out };
  });
  app.post('/gps/api/review/applications/:id/:action', { preHandler: ctx.requireReviewer }, async (request) => {
    const { id, action } = request.params as { id: string; action: string };
    if (action === 'approve') {
      const result = await flow.approve(id, ctx.reviewer);
      return { status: result.application.status, sentTo: result.sentTo, expiresAt: result.expiresAt };
    }
    if (action !== 'reject') throw new PageError(404, 'NOT_FOUND', '無此功能');
    const reason = field(request.body, 'reason');
    const application = await flow.reject(id, ctx.reviewer, typeof reason === 'string' ? reason : '');
    return { status: application.status };
  });
  // 客服: closes an account whose company can no longer log in (its every card lost, revoked or expired); the
  // company is told at its EMS e-mail and applies again with a card that works.
  app.post('/gps/api/review/accounts/:controlNumber/close', { preHandler: ctx.requireReviewer }, async (request) => {
    const { controlNumber } = request.params as { controlNumber: string };
    const reason = field(request.body, 'reason');
    const closed = await flow.closeAccount(controlNumber, ctx.reviewer, typeof reason === 'string' ? reason : '');
    return { controlNumber: closed.controlNumber, status: closed.status };
  });
}

/** The seed's 帳號申請結果 list, from the same source and policy the verdict used. */
async function resultHtml(ems: EmsSource, compare: { policy: ComparisonPolicy }, typed: unknown): Promise<string> {
  const outcome = await verifyApplication(typed, ems, compare);
  if (outcome.status === 'compared') return renderResultHtml(outcome.result);
  return (
    `<section class="twpki-ems-result" data-pass="false"><ul class="twpki-ems-fields">` +
    `<li class="twpki-ems-field twpki-ems-fail" data-key="controlNumber" style="color:#c00"><span class="twpki-ems-mark">✗</span> 管制編號：` +
    `<span class="twpki-ems-value">${escapeEms(outcome.controlNumber)}</span><span class="twpki-ems-reason">（EMS 查無此管制編號）</span></li></ul>` +
    `<p class="twpki-ems-note" style="color:#c00">${escapeEms(EMS_CORRECTION_NOTE)}。</p></section>`
  );
}

function activatedBody(controlNumber: string): string {
  return `<h2>帳號開通</h2><div class="dialog" id="activation-result" data-status="active">
<p>帳號啟用成功，請以自然人憑證登入</p><p class="small">管制編號：<span id="activated-control-number">${escapeHtml(controlNumber)}</span></p>
<p><a class="button" id="activation-ok" href="/gps/login">確定</a></p></div>`;
}

const TOKEN_MESSAGES: Record<string, string> = {
  TOKEN_USED: '此開通連結已使用過，帳號已開通，請以自然人憑證登入。',
  TOKEN_EXPIRED: '此連結已逾期，請洽本系統客服。',
  TOKEN_INVALID: '連結無效，請確認信件中的完整連結。',
};

function activationFailedBody(code: string): string {
  const message = TOKEN_MESSAGES[code] ?? '帳號開通失敗，請洽本系統客服。';
  return `<h2>帳號開通</h2><div class="dialog error" id="activation-result" data-status="failed" data-code="${escapeHtml(code)}"><p>${escapeHtml(message)}</p></div>`;
}

/** 帳號申請結果 of the rejection mail's link: ✓/✗ per compared field, the reviewer's reason, 重新申請. */
function applicationResultBody(result: Awaited<ReturnType<AccountEnrollmentFlow['applicationResult']>>): string {
  const items = BASIC_DATA_FIELDS.map((f) => {
    const verdict = result.emsComparison?.fields[f] ?? 'notCompared';
    const mark = verdict === 'match' ? '✓ ' : verdict === 'mismatch' ? '✗ ' : '';
    const style = verdict === 'mismatch' ? ' style="color:#c00"' : '';
    return `<li data-key="${f}" data-verdict="${verdict}"${style}>${mark}${escapeHtml(BASIC_DATA_LABELS[f])}：</li>`;
  }).join('');
  const reason = result.reviewNote ? `<p id="review-note">審核意見：${escapeHtml(result.reviewNote)}</p>` : '';
  return `<h2>帳號申請結果</h2><p>管制編號：${escapeHtml(result.controlNumber)}</p><ul class="twpki-ems-fields" id="result-fields">${items}</ul>${reason}
<ul class="notes"><li>紅字為比對資料結果，若資料有誤請至EMS修正。</li><li>申請未通過後請依正確資料重新申請。</li></ul>
<p><a class="button" href="/gps/">重新申請</a></p>`;
}
