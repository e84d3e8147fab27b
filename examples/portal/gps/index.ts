/**
 * GPS (seed moenv-gps-account-apply-and-card-binding): 自然人憑證帳號申請
 * (管制編號 → 基本資料 + EMS 比對 → 自然人憑證綁定 → 審核中), review with the
 * activation mail to the EMS facility e-mail, 開通, 自然人憑證登入 (a renewed
 * certificate on a bound card takes over its binding), 設定自然人憑證 and
 * 自然人憑證管理 (刪除). Each route is one `AccountEnrollmentFlow` command.
 *
 * A card login lasts while the card that made it is still bound to the account
 * it logged into: 自然人憑證登入 keeps the `login` that `openCardSession` read
 * with the account and the card's binding, every card route checks it with
 * `checkCardSession` (one read) before acting (the card list reads itself with
 * the check, `listCards` with the login), and the card commands
 * (設定自然人憑證, 刪除) are made for the login, which the flow checks again in the
 * command's own transaction. So a card 刪除'd by a co-worker, or an account
 * closed by 客服 and opened again on the same 管制編號, ends the sessions it
 * backed, even one whose check ran just before.
 */
import { randomUUID } from 'node:crypto';
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
  ENROLL_REFUSALS,
  EmsLayerAdapter,
  EnrollError,
  InvalidInputError,
  type AccountApplication,
  type AccountCardLogin,
  type AccountCardSession,
  type AccountEnrollmentOptions,
  type Actor,
  type NoticeBranding,
  type PendingActivation,
} from 'twpki/enroll';
import { parseBasicData, parseBinding, parseControlNumber, runMigrations } from 'twpki/enroll/advanced';
import { CardLoginRequestError } from 'twpki/fastify';
import { cardViewOf, publicView, type CardView } from '../core/card-view.js';
import { CONCEALED_TABLE, ConcealedApplications, concealedOwnerMail, type ConcealedApplication } from './concealed-applications.js';
import { PageError, escapeHtml, field, type PortalContext, type PortalSystem } from '../core/portal.js';

declare module 'fastify' {
  interface Session {
    /** The GPS application this browser is filling in. */
    gpsApplicationId?: string;
    /** Instead, the application this browser was shown for a 管制編號 that already had one (see ConcealedApplication). */
    gpsConcealed?: ConcealedApplication;
    /** 管制編號 of the GPS account this browser logged into with a card. */
    gpsAccount?: string;
    /** That account's application ID: an account opened later on the same 管制編號 is another account. */
    gpsAccountId?: string;
    /** 卡號 of the card that logged in. */
    gpsCard?: string;
    /** When that card's binding was made: the login lasts while this very binding does (not one made again later). */
    gpsCardBoundAt?: string;
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

/** A card login checked by the flow: the account and binding it stands on, and the account's actor. */
interface CheckedLogin {
  /** The account (its 管制編號, owner) and the binding that logged in, as the flow read them for this request. */
  readonly session: AccountCardSession;
  /** The actor the account was applied with, which its card commands act as. */
  readonly actor: Actor;
}

/** The flow's own wording of a login whose card is no longer bound (登入已失效 …), for the portal's check too. */
const LOGIN_ENDED = ENROLL_REFUSALS.LOGIN_CARD_NO_LONGER_BOUND.zhTW;

/**
 * The portal's table `portal_gps_owners` (application ID → the actor ID it was applied with), which releases before
 * the flow recorded owners on the application (`AccountApplication.ownerId`) created at start and wrote at 送出申請,
 * dropped once. Its rows hold nothing the flow does not: each was written in the transaction of the `apply` that
 * recorded the same actor ID as the application's owner (`applicant_id`, recorded by the flow since before the
 * table existed). Recorded with the SDK's migrations, so two instances starting at once drop it once, and an
 * instance started again does not look for it. `IF EXISTS`: a deployment that never ran those releases has none.
 */
const OWNERS_TABLE_DROPPED = {
  id: 'portal-gps-0001-drop-owners',
  sql: 'DROP TABLE IF EXISTS portal_gps_owners',
} as const;

/** How long an application with 基本資料 verified and no card bound keeps its 管制編號 (the flow's unfinishedTtlMs). */
const UNFINISHED_TTL_MS = 24 * 60 * 60 * 1000;

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
  const options: AccountEnrollmentOptions = {
    store: ctx.store,
    clock: ctx.clock,
    mailer: ctx.mailer,
    ems: adapter,
    emsRecords: adapter,
    activationLink: (token) => `${ctx.origin}/gps/activate?key=${encodeURIComponent(token)}`,
    resultLink: (key) => `${ctx.origin}/gps/result?key=${encodeURIComponent(key)}`,
    branding: settings.branding ?? GPS_BRANDING,
    unfinishedTtlMs: UNFINISHED_TTL_MS,
  };
  const flow = new AccountEnrollmentFlow(options);
  await runMigrations(ctx.store, [OWNERS_TABLE_DROPPED, CONCEALED_TABLE]);

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
  /** The application this browser fills in: the flow's, or a concealed one (neither: 409 NO_APPLICATION). */
  const currentDraft = async (request: FastifyRequest): Promise<{ application: AccountApplication } | { concealed: ConcealedApplication }> => {
    const concealed = request.session.get('gpsConcealed');
    if (concealed !== undefined) return { concealed };
    return { application: await flow.get(currentApplication(request)) };
  };
  const concealedApplications = new ConcealedApplications(ctx.store, ctx.clock, UNFINISHED_TTL_MS);
  /**
   * Tells the company at its EMS facility e-mail that an application for its 管制編號 reached 審核中 on the page but
   * was not taken, naming the card it was bound with as the activation mail names cards. Not awaited, and a failure
   * only logged: the caller's answer must not depend on it (nor its time on the mail server's).
   */
  const tellConcealedOwner = (request: FastifyRequest, concealed: ConcealedApplication, holderName: string, cardNumber: string): void => {
    const branding = settings.branding ?? GPS_BRANDING;
    const send = async (): Promise<void> => {
      const to = await adapter.facilityEmail(parseControlNumber(concealed.controlNumber));
      if (to === undefined) return;
      await ctx.mailer.send({
        to,
        subject: `${branding.systemName}-帳號申請通知`,
        text: concealedOwnerMail(branding, concealed.controlNumber, holderName, cardNumber.slice(-4)),
      });
    };
    send().catch((err: unknown) => request.log.error({ err }, 'GPS: the mail about an application not taken could not be sent'));
  };
  /**
   * The actor an application was made with: its owner, as the flow records it (`ownerId`), which only may act on
   * it and, once active, on its cards. The rows of the table `portal_gps_owners` this portal used to keep held the
   * same IDs (see OWNERS_TABLE_DROPPED), so applications made then need nothing else. One made before the flow
   * recorded owners has none, and
   * any applicant may act on it: the old per-number ID, so its audit trail goes on as it began.
   */
  const ownerOf = (application: AccountApplication): Actor => ({ role: 'applicant', id: application.ownerId ?? `gps-account:${application.controlNumber}` });
  /** The session's card login as stored, unchecked; NOT_LOGGED_IN without one (the card step's guard). */
  const storedLogin = (request: FastifyRequest): AccountCardLogin => {
    const applicationId = request.session.get('gpsAccountId');
    const cardNumber = request.session.get('gpsCard');
    const boundAt = request.session.get('gpsCardBoundAt');
    // A session from before logins carried the card and the account: logged in with what cannot be checked.
    if (request.session.get('gpsAccount') === undefined || applicationId === undefined || cardNumber === undefined || boundAt === undefined) {
      throw new PageError(401, 'NOT_LOGGED_IN', '請先以自然人憑證登入');
    }
    return { applicationId, cardNumber, boundAt };
  };
  /**
   * `read`'s answer, or `undefined` (the session ended) when the flow refuses the session's login as one that no
   * longer stands (LOGIN_ENDED) or cannot read it.
   */
  const whileLoggedIn = async <T>(request: FastifyRequest, read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (err) {
      const ended = (err instanceof EnrollError && err.refusal === 'LOGIN_CARD_NO_LONGER_BOUND') || err instanceof InvalidInputError;
      if (!ended) throw err;
      await request.session.destroy();
      return undefined;
    }
  };
  /**
   * The login's account and binding, when it still stands (`checkCardSession`, one read: the account it logged
   * into is its 管制編號's active one, and the card that logged in is still bound to it by the same binding). When
   * not, the session ends. A stored login the flow cannot read is no login either.
   */
  const stillBound = async (request: FastifyRequest, login: AccountCardLogin): Promise<AccountCardSession | undefined> =>
    whileLoggedIn(request, () => flow.checkCardSession(login));
  /** The checked card login and the account's actor; 401 NOT_LOGGED_IN (the session ended) when it no longer stands. */
  const account = async (request: FastifyRequest): Promise<CheckedLogin> => {
    const session = await stillBound(request, storedLogin(request));
    if (session === undefined) throw new PageError(401, 'NOT_LOGGED_IN', LOGIN_ENDED);
    return { session, actor: ownerOf(session.account) };
  };
  /**
   * A card command made for the session's login (`options.login`): the flow checks the login again in the
   * command's own transaction, so a card removed after this request's check (another browser's 刪除 in between)
   * refuses the command, and the session ends as the check would have ended it.
   */
  const forLogin = async <T>(request: FastifyRequest, command: (checked: CheckedLogin) => Promise<T>): Promise<T> => {
    const checked = await account(request);
    try {
      return await command(checked);
    } catch (err) {
      if (!(err instanceof EnrollError) || err.refusal !== 'LOGIN_CARD_NO_LONGER_BOUND') throw err;
      await request.session.destroy();
      throw new PageError(401, 'NOT_LOGGED_IN', LOGIN_ENDED);
    }
  };
  /**
   * The card of a card step, which must be a citizen card. Refused with WRONG_CARD_TYPE and the refusal
   * CITIZEN_CARD_REQUIRED, so the page reads the GPS wording (本系統採自然人憑證單一登入方式) rather than the code's
   * own, which also offers 工商憑證 (the waste system takes both); a certificate no flow takes at all is told the same.
   */
  const citizenCard = (login: Parameters<typeof cardViewOf>[0]): CardView => {
    const wrongCard = (detail: string) => new EnrollError('WRONG_CARD_TYPE', `GPS: a citizen card (自然人憑證) is required: ${detail}`, { refusal: 'CITIZEN_CARD_REQUIRED' });
    let card: CardView;
    try {
      card = cardViewOf(login);
    } catch (err) {
      if (err instanceof EnrollError && err.code === 'WRONG_CARD_TYPE') throw wrongCard(err.message);
      throw err;
    }
    if (card.holder.authority !== 'MOICA') throw wrongCard(`a ${card.holder.authority} certificate`);
    return card;
  };

  // 1. 管制編號 → 送出申請. The actor is one per application, `gps-account:<random UUID>`, not one per 管制編號: a
  // session of an account 客服 closed must not be the owner of the account opened next on that number. The flow
  // records it as the owner (`ownerId`), which later requests act as.
  // A number that already has an account or an application in progress is answered the same (201, draft) and
  // walks the same steps (ConcealedApplication): the answer says nothing of the number's account. The body carries
  // no application ID, which the concealed one does not have.
  app.post('/gps/api/applications', { preHandler: ctx.limitApplications }, async (request, reply) => {
    const controlNumber = field(request.body, 'controlNumber');
    let shown: { controlNumber: string; status: 'draft' };
    try {
      const application = await flow.apply({ controlNumber: controlNumber as string }, { role: 'applicant', id: `gps-account:${randomUUID()}` });
      request.session.set('gpsApplicationId', application.id);
      request.session.set('gpsConcealed', undefined);
      await concealedApplications.applied(application.controlNumber, false);
      shown = { controlNumber: application.controlNumber, status: 'draft' };
    } catch (err) {
      if (!(err instanceof EnrollError) || err.code !== 'APPLICATION_IN_PROGRESS') throw err;
      const concealed = await concealedApplications.applied(parseControlNumber(controlNumber), true);
      request.session.set('gpsConcealed', concealed);
      request.session.set('gpsApplicationId', undefined);
      shown = { controlNumber: concealed.controlNumber, status: 'draft' };
    }
    ctx.cards.drop(request.session, 'gps.apply');
    return reply.code(201).send(shown);
  });

  // 2. 帳號申請(1/2)：基本資料填寫 → EMS 比對 (完全一致才算通過)
  app.post('/gps/api/application/basic-data', { preHandler: ctx.limitApplications }, async (request) => {
    const draft = await currentDraft(request);
    const basicData = field(request.body, 'basicData');
    if ('concealed' in draft) return concealedBasicData(request, draft.concealed, basicData);
    const current = draft.application;
    const application = await flow.submitBasicData(current.id, basicData, ownerOf(current));
    if (application.status !== 'emsRejected') {
      return { status: application.status, controlNumber: application.controlNumber, companyName: application.basicData?.companyName ?? '' };
    }
    return { status: application.status, controlNumber: application.controlNumber, resultHtml: await resultHtml(ems, compare, application.basicData ?? basicData) };
  });

  /** submitBasicData's checks in its order (fields, replaced, 管制編號, state), then the same EMS comparison; nothing stored. */
  const concealedBasicData = async (request: FastifyRequest, concealed: ConcealedApplication, basicData: unknown): Promise<object> => {
    const data = parseBasicData(basicData);
    await concealedApplications.refuseReplaced(concealed, 'submitBasicData');
    if (data.controlNumber !== concealed.controlNumber) {
      throw new InvalidInputError([{ field: 'basicData.controlNumber', code: 'MISMATCH', reason: 'differs from the application’s control number' }]);
    }
    concealedApplications.refuseFromState(concealed, 'submitBasicData');
    const comparison = await adapter.verify(data);
    if (!comparison.passed) {
      request.session.set('gpsConcealed', await concealedApplications.advanced({ ...concealed, status: 'emsRejected' }, 'submitBasicData'));
      return { status: 'emsRejected', controlNumber: concealed.controlNumber, resultHtml: await resultHtml(ems, compare, data) };
    }
    request.session.set('gpsConcealed', await concealedApplications.advanced({ ...concealed, status: 'basicDataVerified', companyName: data.companyName }, 'submitBasicData'));
    return { status: 'basicDataVerified', controlNumber: concealed.controlNumber, companyName: data.companyName };
  };

  // 3. 帳號申請(2/2)：自然人憑證綁定 — 取得憑證資訊 is a card step; 確認送出 binds what it verified.
  ctx.cardStep(
    app,
    '/gps/card/apply',
    async (login, request) => {
      const draft = await currentDraft(request);
      const card = citizenCard(login);
      ctx.cards.put(request.session, 'gps.apply', card);
      const shown = 'concealed' in draft ? draft.concealed : { controlNumber: draft.application.controlNumber, companyName: draft.application.basicData?.companyName };
      return { ...publicView(card), controlNumber: shown.controlNumber, companyName: shown.companyName ?? '' };
    },
    (request) => {
      if (request.session.get('gpsConcealed') === undefined) currentApplication(request);
    },
  );
  app.post('/gps/api/application/bind', async (request) => {
    const draft = await currentDraft(request);
    const card = ctx.cards.get(request.session, 'gps.apply', '請先輸入密碼並點選「取得憑證資訊」');
    const contact = { name: field(request.body, 'name'), phone: field(request.body, 'phone'), email: field(request.body, 'email') };
    const input = { holder: card.holder, contact: contact as { name?: string; phone: string; email: string } };
    if ('concealed' in draft) {
      // bindCard's checks (the form, replaced, the state, then a card bound elsewhere); 審核中 shown, and the company
      // told by mail.
      const parsed = parseBinding(input);
      await concealedApplications.refuseReplaced(draft.concealed, 'bindCard');
      concealedApplications.refuseFromState(draft.concealed, 'bindCard');
      await flow.refuseBoundCard(input);
      request.session.set('gpsConcealed', await concealedApplications.advanced({ ...draft.concealed, status: 'underReview' }, 'bindCard'));
      ctx.cards.drop(request.session, 'gps.apply');
      tellConcealedOwner(request, draft.concealed, card.name, parsed.card.cardNumber);
      return { status: 'underReview', controlNumber: draft.concealed.controlNumber };
    }
    const current = draft.application;
    const application = await flow.bindCard(current.id, input, ownerOf(current));
    ctx.cards.drop(request.session, 'gps.apply');
    return { status: application.status, controlNumber: application.controlNumber };
  });

  // 5. 審核通過點選連結開通權限: the link (GET, and the HEAD a mail scanner or link preview sends) only shows the
  // page, which names what the button would open (`pendingActivation` reads without using the link); the account
  // is activated by its 開通帳號權限 button (a same-origin POST, like every other write). A dead link says so at
  // once. The key is not sent on to other sites as a referrer; `same-origin`, not `no-referrer`, which would make
  // the browser's Origin of the button's POST `null` and the origin check refuse it.
  /** An activation page: not cached, the key kept from other sites, and a dead link's failure page (400). */
  const activationPage = async (reply: FastifyReply, page: () => Promise<string>): Promise<FastifyReply> => {
    reply.header('cache-control', 'no-store').header('referrer-policy', 'same-origin').type('text/html; charset=utf-8');
    try {
      return reply.send(await page());
    } catch (err) {
      if (!(err instanceof EnrollError)) throw err;
      return reply.code(400).send(ctx.page('帳號開通失敗', activationFailedBody(err.code)));
    }
  };
  app.get('/gps/activate', async (request, reply) => {
    const key = String((request.query as Record<string, unknown>).key ?? '');
    return activationPage(reply, async () => ctx.page('帳號開通', activationConfirmBody(key, await flow.pendingActivation(key))));
  });
  app.post('/gps/activate', async (request, reply) => {
    const key = field(request.body, 'key');
    return activationPage(reply, async () => ctx.page('帳號啟用成功', activatedBody((await flow.activate(typeof key === 'string' ? key : '')).controlNumber)));
  });
  // 6. 審核未通過點選連結確認資料情形
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
  // `openCardSession` answers the account and the card's binding from the login's own transaction; the session
  // keeps its `login` (the account's application ID, the card and the binding's boundAt), which every card route checks.
  ctx.cardStep(app, '/gps/card/login', async (login, request) => {
    const card = citizenCard(login);
    const opened = await flow.openCardSession(card.holder);
    await request.session.regenerate();
    request.session.set('gpsAccount', opened.account.controlNumber);
    request.session.set('gpsAccountId', opened.login.applicationId);
    request.session.set('gpsCard', opened.login.cardNumber);
    request.session.set('gpsCardBoundAt', opened.login.boundAt);
    return { controlNumber: opened.account.controlNumber, name: card.name, cardNumber: card.cardNumber, certificateSerial: card.certificateSerial };
  });
  app.get('/gps/api/me', async (request) => {
    const login = request.session.get('gpsAccount') === undefined ? undefined : await account(request).catch(() => undefined);
    return { account: login?.session.account.controlNumber ?? null };
  });
  app.post('/gps/api/logout', async (request) => {
    await request.session.destroy();
    return { ok: true };
  });

  // 自然人憑證管理: the list with 刪除; 設定自然人憑證: another card for the same 管制編號.
  // The list is read with the login's check, in one statement (listCards with the login), not a check and then a
  // list in two transactions.
  app.get('/gps/api/cards', async (request) => {
    const login = storedLogin(request);
    const controlNumber = request.session.get('gpsAccount') as string;
    const cards = await whileLoggedIn(request, () => flow.listCards(controlNumber, { login }));
    if (cards === undefined) throw new PageError(401, 'NOT_LOGGED_IN', LOGIN_ENDED);
    return {
      controlNumber,
      cards: cards.map((c) => ({ holderName: c.holderName, phone: c.phone, email: c.email, cardNumber: c.cardNumber, certificateSerial: c.certificateSerial, status: c.status })),
    };
  });
  ctx.cardStep(
    app,
    '/gps/card/add',
    async (login, request) => {
      const session = await stillBound(request, storedLogin(request));
      // A refusal here must be twpki's: the login ended (the session with it), so "reload and log in again".
      if (session === undefined) throw new CardLoginRequestError('SESSION_REQUIRED', LOGIN_ENDED);
      const card = citizenCard(login);
      ctx.cards.put(request.session, 'gps.add', card);
      return { ...publicView(card), controlNumber: session.account.controlNumber };
    },
    storedLogin,
  );
  app.post('/gps/api/cards', async (request) => {
    const binding = await forLogin(request, async ({ session, actor }) => {
      const card = ctx.cards.get(request.session, 'gps.add', '請先輸入密碼並點選「取得憑證資訊」');
      const contact = { name: field(request.body, 'name'), phone: field(request.body, 'phone'), email: field(request.body, 'email') };
      const input = { holder: card.holder, contact: contact as { name?: string; phone: string; email: string } };
      return flow.addCard(session.account.controlNumber, input, actor, { login: session.login });
    });
    ctx.cards.drop(request.session, 'gps.add');
    return { cardNumber: binding.cardNumber, status: binding.status };
  });
  // 刪除 of the card this browser logged in with ends its login (and every other session of that card, on its next request).
  app.post('/gps/api/cards/:cardNumber/delete', async (request) => {
    const { cardNumber } = request.params as { cardNumber: string };
    const { own, left } = await forLogin(request, async ({ session, actor }) => ({
      own: session.login.cardNumber,
      left: await flow.removeCard(session.account.controlNumber, cardNumber, actor, { login: session.login }),
    }));
    if (cardNumber.toUpperCase() !== own.toUpperCase()) return { cards: left.length };
    await request.session.destroy();
    return { cards: left.length, loggedOut: true };
  });

  // 審核 (reviewer login required)
  const reviewRows = async (status: 'underReview' | 'approved'): Promise<object[]> => {
    const out: object[] = [];
    for (const application of await flow.listByStatus(status)) {
      const cards = (await flow.listCards(application.controlNumber)).filter((c) => c.status === 'pending');
      out.push({
        id: application.id,
        controlNumber: application.controlNumber,
        companyName: application.basicData?.companyName ?? '',
        // The typed 自然人憑證姓名 and the certificate's own name, for the reviewer to compare.
        cards: cards.map((c) => ({ cardNumber: c.cardNumber, holderName: c.holderName, certificateName: c.certificateName ?? '', phone: c.phone, email: c.email })),
        // underReview: when it was sent for review; approved: when it was approved or its link last sent.
        [status === 'approved' ? 'approvedAt' : 'submittedAt']: application.updatedAt,
      });
    }
    return out;
  };
  app.get('/gps/api/review/applications', { preHandler: ctx.requireReviewer }, async () => ({ applications: await reviewRows('underReview') }));
  // 審核通過、尚未開通: the link expired or the mail was lost; 重新寄送認證信 sends a new link (the earlier ones stop working).
  app.get('/gps/api/review/approved', { preHandler: ctx.requireReviewer }, async () => ({ applications: await reviewRows('approved') }));
  app.post('/gps/api/review/applications/:id/:action', { preHandler: ctx.requireReviewer }, async (request) => {
    const { id, action } = request.params as { id: string; action: string };
    if (action === 'approve' || action === 'reissueActivation') {
      const result = action === 'approve' ? await flow.approve(id, ctx.reviewer) : await flow.reissueActivation(id, ctx.reviewer);
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

/**
 * What the activation link opens: the account and cards it would enable, and the button, which posts the key.
 * Opening the link (a mail scanner, a link preview, a prefetch) activates nothing; only 開通帳號權限 does.
 */
function activationConfirmBody(key: string, pending: PendingActivation): string {
  const cards = pending.cards.map((c) => `${c.name}（卡號末四碼 ${c.cardNumberEnding}）`).join('、');
  const expires = new Date(pending.expiresAt).toLocaleString('zh-TW', { timeZone: 'Asia/Taipei', hour12: false });
  return `<h2>帳號開通</h2><div class="dialog" id="activation-confirm">
<p>毒性及關注化學物質運送車輛即時追蹤系統專區-帳號申請認證：請確認下列帳號後點選「開通帳號權限」啟用帳號。</p>
<table class="form" id="activation-account">
<tr><th>管制編號：</th><td id="activation-control-number">${escapeHtml(pending.controlNumber)}</td></tr>
<tr><th>公司名稱：</th><td id="activation-company-name">${escapeHtml(pending.companyName ?? '')}</td></tr>
<tr><th>可登入之自然人憑證：</th><td id="activation-cards">${escapeHtml(cards)}</td></tr>
<tr><th>連結有效期限：</th><td id="activation-expires">${escapeHtml(expires)}</td></tr>
</table>
<p class="small">若貴公司未於本系統提送帳號申請需求，請勿點選，並忽略此信件。</p>
<form method="post" action="/gps/activate"><input type="hidden" name="key" value="${escapeHtml(key)}">
<button type="submit" class="button" id="activation-submit">開通帳號權限</button></form></div>`;
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
