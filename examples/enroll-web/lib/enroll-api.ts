/**
 * The JSON API behind the pages: each handler is one step of the seed's flow
 * and calls exactly one enrollment command (plus the certificate layer for
 * card steps). The PIN never reaches this server: the page sends it straight
 * to the local agent on the user's machine.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildLoginMessage, LoginVerificationError, type ChallengeIssuer, type LoginVerifier } from 'twpki/cert';
import {
  EMS_CORRECTION_NOTE,
  escapeHtml as escapeEms,
  renderResultHtml,
  verifyApplication,
  type CompareOptions,
  type EmsSource,
} from 'twpki/ems';
import { EnrollError, InvalidInputError, type AccountEnrollment, type Actor, type EnrollStore } from 'twpki/enroll';
import { cardHolderOf, type CardHolderView } from './card-holder.js';
import { HttpError, readJson, sendHtml, sendJson } from './http.js';
import { activatedPage, activationFailedPage } from './pages.js';
import type { SessionState } from './sessions.js';

/** What the API needs, wired once by the server. */
export interface EnrollApiDeps {
  readonly flow: AccountEnrollment;
  readonly store: EnrollStore;
  readonly ems: EmsSource;
  readonly compare: CompareOptions;
  readonly issuer: ChallengeIssuer;
  readonly verifier: LoginVerifier;
  /** This site's origin: what login messages name and what POSTs must come from. */
  readonly origin: string;
  /** The local agent's URL, handed to the pages. */
  readonly agentUrl: string;
  /** The reviewer the example's unauthenticated review page acts as. */
  readonly reviewer: Actor;
}

const ENROLL_STATUS: Partial<Record<string, number>> = {
  INVALID_INPUT: 400,
  NOT_FOUND: 404,
  APPLICATION_IN_PROGRESS: 409,
  CARD_ALREADY_BOUND: 409,
  INVALID_TRANSITION: 409,
  CONCURRENT_UPDATE: 409,
  NOT_AUTHORIZED: 403,
  FORBIDDEN: 403,
  RENEWAL_PENDING_REVIEW: 409,
  EMS_FAILURE: 502,
  MAIL_FAILED: 502,
};

/** Turns any failure into the API's `{error:{code,message,issues?}}` answer. */
export function sendError(res: ServerResponse, err: unknown): void {
  if (err instanceof InvalidInputError) {
    sendJson(res, 400, { error: { code: err.code, message: err.message, issues: err.issues } });
  } else if (err instanceof EnrollError) {
    sendJson(res, ENROLL_STATUS[err.code] ?? 400, { error: { code: err.code, message: err.message } });
  } else if (err instanceof LoginVerificationError) {
    sendJson(res, 401, { error: { code: err.code, message: err.message } });
  } else if (err instanceof HttpError) {
    sendJson(res, err.status, { error: { code: err.code, message: err.message } });
  } else {
    console.error('enroll-web: unexpected failure', err);
    sendJson(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } });
  }
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

/** Routes `/api/*` and `/activate`; answers false for paths it does not own. */
export class EnrollApi {
  public constructor(private readonly d: EnrollApiDeps) {}

  /** Handles one request, or returns false when the path is not the API's. */
  public async handle(req: IncomingMessage, res: ServerResponse, url: URL, session: SessionState): Promise<boolean> {
    const { pathname } = url;
    if (req.method === 'GET' && pathname === '/activate') {
      await this.activate(res, url.searchParams.get('key') ?? '');
      return true;
    }
    if (!pathname.startsWith('/api/')) return false;
    if (req.method === 'POST' && req.headers.origin !== this.d.origin) {
      // Cross-site POSTs are refused outright; SameSite cookies are the second line.
      throw new HttpError(403, 'FOREIGN_ORIGIN', 'requests must come from this site');
    }
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    const review = /^\/api\/review\/applications\/([0-9a-fA-F-]{36})\/(approve|reject)$/.exec(pathname);
    const route = `${req.method ?? 'GET'} ${review ? '/api/review/applications/:id/:action' : pathname}`;
    switch (route) {
      case 'GET /api/config':
        sendJson(res, 200, { origin: this.d.origin, agentUrl: this.d.agentUrl });
        return true;
      case 'POST /api/applications':
        sendJson(res, 201, await this.apply(session, field(body, 'controlNumber')));
        return true;
      case 'POST /api/application/basic-data':
        sendJson(res, 200, await this.basicData(session, field(body, 'basicData')));
        return true;
      case 'POST /api/challenge':
        sendJson(res, 200, await this.challenge(session));
        return true;
      case 'POST /api/application/card-info':
        sendJson(res, 200, await this.cardInfo(session, field(body, 'token')));
        return true;
      case 'POST /api/application/bind':
        sendJson(res, 200, await this.bind(session, body));
        return true;
      case 'GET /api/review/applications':
        sendJson(res, 200, { applications: await this.underReview() });
        return true;
      case 'POST /api/review/applications/:id/:action':
        sendJson(res, 200, await this.decide(review?.[1] ?? '', review?.[2] ?? '', field(body, 'reason')));
        return true;
      case 'POST /api/login':
        sendJson(res, 200, await this.login(session, field(body, 'token')));
        return true;
      case 'GET /api/account/cards':
        sendJson(res, 200, { cards: await this.accountCards(session) });
        return true;
      case 'GET /api/me':
        sendJson(res, 200, { loggedInAs: session.loggedInAs ?? null });
        return true;
      default:
        throw new HttpError(404, 'NOT_FOUND', 'no such API');
    }
  }

  private applicant(session: SessionState): Actor {
    // Before the card is bound the applicant is only a browser session.
    return { role: 'applicant', id: `web-session:${session.id.slice(0, 12)}` };
  }

  private currentApplication(session: SessionState): string {
    if (session.applicationId === undefined) throw new HttpError(409, 'NO_APPLICATION', 'start with 管制編號 (no application in this session)');
    return session.applicationId;
  }

  private async apply(session: SessionState, controlNumber: unknown): Promise<object> {
    const app = await this.d.flow.apply({ controlNumber: controlNumber as string }, this.applicant(session));
    session.applicationId = app.id;
    delete session.verifiedCard;
    return { applicationId: app.id, controlNumber: app.controlNumber, status: app.status };
  }

  private async basicData(session: SessionState, basicData: unknown): Promise<object> {
    const app = await this.d.flow.submitBasicData(this.currentApplication(session), basicData, this.applicant(session));
    if (app.status !== 'emsRejected') {
      return { status: app.status, controlNumber: app.controlNumber, companyName: app.basicData?.companyName ?? '' };
    }
    return { status: app.status, controlNumber: app.controlNumber, resultHtml: await this.resultHtml(app.basicData ?? basicData) };
  }

  /** The seed's 帳號申請結果 list, from the same source and policy the verdict used. */
  private async resultHtml(applicant: unknown): Promise<string> {
    const outcome = await verifyApplication(applicant, this.d.ems, this.d.compare);
    if (outcome.status === 'compared') return renderResultHtml(outcome.result);
    return (
      `<section class="twpki-ems-result" data-pass="false"><ul class="twpki-ems-fields">` +
      `<li class="twpki-ems-field twpki-ems-fail" data-key="controlNumber" style="color:#c00"><span class="twpki-ems-mark">✗</span> 管制編號：` +
      `<span class="twpki-ems-value">${escapeEms(outcome.controlNumber)}</span><span class="twpki-ems-reason">（EMS 查無此管制編號）</span></li></ul>` +
      `<p class="twpki-ems-note" style="color:#c00">${escapeEms(EMS_CORRECTION_NOTE)}。</p></section>`
    );
  }

  private async challenge(session: SessionState): Promise<object> {
    const challenge = await this.d.issuer.issue(session.id);
    return { tbs: buildLoginMessage({ origin: this.d.origin, challenge: challenge.value }), expiresAt: challenge.expiresAt.toISOString() };
  }

  private async verified(session: SessionState, token: unknown): Promise<CardHolderView> {
    if (token === undefined) throw new HttpError(400, 'TOKEN_MISSING', 'the signed token is missing');
    return cardHolderOf(await this.d.verifier.verify(token, { sessionId: session.id }));
  }

  private async cardInfo(session: SessionState, token: unknown): Promise<object> {
    const app = await this.d.flow.get(this.currentApplication(session));
    const card = await this.verified(session, token);
    if (card.holder.authority !== 'MOICA') {
      throw new HttpError(400, 'WRONG_CARD_TYPE', 'a citizen certificate (自然人憑證) is required');
    }
    session.verifiedCard = card;
    return {
      controlNumber: app.controlNumber,
      companyName: app.basicData?.companyName ?? '',
      name: card.name,
      cardNumber: card.cardNumber,
      idHint: card.idHint ?? '',
      authorityName: card.authorityName,
    };
  }

  private async bind(session: SessionState, body: unknown): Promise<object> {
    const id = this.currentApplication(session);
    const card = session.verifiedCard;
    if (card === undefined) throw new HttpError(409, 'CARD_NOT_VERIFIED', '請先輸入密碼並點選「取得憑證資訊」');
    const contact = { name: field(body, 'name'), phone: field(body, 'phone'), email: field(body, 'email') };
    const app = await this.d.flow.bindCard(id, { holder: card.holder, contact: contact as { name?: string; phone: string; email: string } }, this.applicant(session));
    delete session.verifiedCard;
    return { status: app.status, controlNumber: app.controlNumber };
  }

  private async underReview(): Promise<object[]> {
    const out: object[] = [];
    for (const app of await this.d.flow.listByStatus('underReview')) {
      const cards = (await this.d.flow.listCards(app.controlNumber)).filter((c) => c.status === 'pending');
      out.push({
        id: app.id,
        controlNumber: app.controlNumber,
        companyName: app.basicData?.companyName ?? '',
        facilityEmail: app.basicData?.facilityEmail ?? '',
        cards: cards.map((c) => ({ cardNumber: c.cardNumber, holderName: c.holderName, phone: c.phone, email: c.email })),
        submittedAt: app.updatedAt,
      });
    }
    return out;
  }

  private async decide(id: string, action: string, reason: unknown): Promise<object> {
    if (action === 'approve') {
      const r = await this.d.flow.approve(id, this.d.reviewer);
      return { status: r.application.status, sentTo: r.sentTo, expiresAt: r.expiresAt };
    }
    const app = await this.d.flow.reject(id, this.d.reviewer, typeof reason === 'string' ? reason : '');
    return { status: app.status };
  }

  private async activate(res: ServerResponse, key: string): Promise<void> {
    try {
      const app = await this.d.flow.activate(key);
      sendHtml(res, 200, activatedPage(app.controlNumber));
    } catch (err) {
      if (!(err instanceof EnrollError)) throw err;
      sendHtml(res, 400, activationFailedPage(err.code));
    }
  }

  /** 自然人憑證管理: the cards bound to the logged-in account. */
  private async accountCards(session: SessionState): Promise<object[]> {
    if (session.loggedInAs === undefined) throw new HttpError(401, 'NOT_LOGGED_IN', '請先以自然人憑證登入');
    const cards = await this.d.flow.listCards(session.loggedInAs);
    return cards.map((c) => ({ holderName: c.holderName, phone: c.phone, email: c.email, cardNumber: c.cardNumber, status: c.status }));
  }

  private async login(session: SessionState, token: unknown): Promise<object> {
    const card = await this.verified(session, token);
    const controlNumber = await this.d.flow.resolveLogin(card.holder);
    session.loggedInAs = controlNumber;
    return { controlNumber, name: card.name, cardNumber: card.cardNumber };
  }
}
