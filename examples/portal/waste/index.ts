/**
 * The waste system (seed waste-system-certificate-login, 使用自然人憑證或工商憑證登入):
 * 帳號申請 (網路帳號密碼申請書 with 載入 and the host's 自訂密碼) → 列印申請表 →
 * upload of the stamped form and the 營利事業登記証影本 → reviewer queue
 * (approve / reject) → 驗證碼 mailed to the 承辦人 → 啟用憑證 (統一編號 + 管制編號 +
 * 驗證碼 + card + PIN → 綁定成功) → 憑證登入 with a citizen (MOICA) or company
 * (MOEACA) card. Each route is one `WasteSystemFlow` command.
 */
import { randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  InvalidInputError,
  StaticCompanyRegistry,
  WasteSystemFlow,
  joinTransaction,
  type Actor,
  type CompanyRecord,
  type CompanyRegistry,
  type PostalCodeDirectory,
  type WasteApplicationInput,
  type WasteDocumentKind,
} from 'twpki/enroll';
import { parseWasteApplication } from 'twpki/enroll/advanced';
import { cardViewOf } from '../core/card-view.js';
import { pageIssue, passwordProblem } from './form-messages.js';
import { PageError, field, textField, type PortalContext, type PortalSystem } from '../core/portal.js';

declare module 'fastify' {
  interface Session {
    /** Who applied from this browser (the applicant actor's ID): kept across the form, print and upload. */
    wasteApplicant?: string;
    /** The application this browser is filling in. */
    wasteApplicationId?: string;
    /** 統一編號 / 管制編號 / 驗證碼 typed on the 啟用憑證 page, waiting for the card. */
    wasteEnable?: { businessId: string; controlNumber: string; code: string };
    /** The company this browser logged into with a card. */
    wasteCompany?: { businessId: string; controlNumber: string; via: string; companyName: string };
  }
}

/** Settings of the waste system. */
export interface WasteSettings {
  /** The 載入 button's source: a registry, or plain records (a demo company registry). */
  readonly companies: CompanyRegistry | readonly CompanyRecord[];
  /** Largest upload in bytes (default 5 MiB, the portal's multipart limit). */
  readonly maxUploadBytes?: number;
  /**
   * The 郵遞區號 directory (default: the SDK's twzipcode table). One source for the selects, 載入's split of the
   * address and the code 送出 generates: when it cannot be read, all three are without it.
   */
  readonly postalCodes?: PostalCodeDirectory;
}

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));
const BRANDING = { systemName: '事業廢棄物申報網站', signature: '系統客服' } as const;
const DOCUMENT_KINDS: readonly WasteDocumentKind[] = ['applicationForm', 'businessRegistration'];

export { passwordProblem } from './form-messages.js';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

/** `scrypt$<salt>$<hash>` of the 自訂密碼 (N=2^14, r=8, p=1, 32 bytes), as core/reviewer.ts hashes its password. */
export async function hashPassword(password: string, salt: Buffer = randomBytes(16)): Promise<string> {
  return `scrypt$${salt.toString('base64')}$${(await scryptAsync(password, salt, 32)).toString('base64')}`;
}

/** Whether `password` matches a {@link hashPassword} hash (constant-time compare). */
export async function checkPassword(password: string, hash: string): Promise<boolean> {
  const [scheme, salt, expected] = hash.split('$');
  if (scheme !== 'scrypt' || salt === undefined || expected === undefined) return false;
  const want = Buffer.from(expected, 'base64');
  const got = await scryptAsync(password, Buffer.from(salt, 'base64'), want.length);
  return timingSafeEqual(got, want);
}

/** The example's own table for the 自訂密碼 (the SDK keeps no password). */
const PASSWORD_TABLE = `CREATE TABLE IF NOT EXISTS portal_waste_passwords (
  application_id TEXT PRIMARY KEY,
  business_id TEXT NOT NULL,
  control_number TEXT,
  password_hash TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`;

/** The waste system for the portal. */
export function wasteSystem(settings: WasteSettings): PortalSystem {
  return {
    id: 'waste',
    title: '事業廢棄物申報網站 (使用自然人憑證或工商憑證登入)',
    links: [
      ['帳號申請', '/waste/'],
      ['啟用憑證', '/waste/enable'],
      ['憑證登入', '/waste/login'],
      ['帳號申請審核 (審核人員)', '/waste/review'],
    ],
    register: (app, ctx) => registerWaste(app, ctx, settings),
  };
}

/** The form body as the SDK takes it (strings as typed; the SDK validates every field). */
function applicationInput(body: unknown): WasteApplicationInput {
  const text = (name: string): string => {
    const v = field(body, name);
    return typeof v === 'string' ? v : '';
  };
  // A row left unticked is a method not applied for (停用); anything else posted goes to the SDK as it came, which
  // refuses what is neither 啟用 nor 停用 (NOT_AN_OPTION naming methods.citizenCard / methods.companyCard).
  const method = (name: string): unknown => {
    const v = field(body, name);
    return v === undefined || v === null || v === '' ? 'disabled' : v;
  };
  return {
    businessId: text('businessId'),
    controlNumber: text('controlNumber'),
    companyName: text('companyName'),
    representativeName: text('representativeName'),
    representativeId: text('representativeId'),
    // 縣市 + 鄉鎮市區 + the rest: the SDK generates the 郵遞區號 (系統自動產生); the page's box only shows it.
    registeredAddress: { county: text('regCounty'), district: text('regDistrict'), address: text('regAddress') },
    mailingAddress:
      field(body, 'sameAddress') === true ? 'sameAsRegistered' : { county: text('mailCounty'), district: text('mailDistrict'), address: text('mailAddress') },
    contactName: text('contactName'),
    contactPhone1: { number: text('phone1'), ...(text('ext1') ? { extension: text('ext1') } : {}) },
    ...(text('phone2') ? { contactPhone2: { number: text('phone2') } } : {}),
    contactFax: text('fax'),
    contactEmail: text('email'),
    methods: { citizenCard: method('citizenCard'), companyCard: method('companyCard') },
  } as WasteApplicationInput;
}

async function registerWaste(app: FastifyInstance, ctx: PortalContext, settings: WasteSettings): Promise<void> {
  // Given to each upload's parser as well, where it overrides the portal's multipart default (server.ts).
  const maxUploadBytes = settings.maxUploadBytes ?? 5 * 1024 * 1024;
  const companies = Array.isArray(settings.companies) ? new StaticCompanyRegistry(settings.companies as CompanyRecord[]) : (settings.companies as CompanyRegistry);
  const options = {
    clock: ctx.clock,
    mailer: ctx.mailer,
    companies,
    activationPage: `${ctx.origin}/waste/enable`,
    documents: { maxBytes: maxUploadBytes },
    branding: BRANDING,
    ...(settings.postalCodes === undefined ? {} : { postalCodes: settings.postalCodes }),
  };
  const waste = new WasteSystemFlow({ ...options, store: ctx.store });
  await ctx.store.transaction(async (tx) => tx.runScript(PASSWORD_TABLE));

  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/waste/assets/', decorateReply: false });
  const sendPage = (file: string) => async (_request: FastifyRequest, reply: FastifyReply) => reply.sendFile(file, PUBLIC_DIR);
  app.get('/waste/', sendPage('apply.html'));
  app.get('/waste/enable', sendPage('enable.html'));
  app.get('/waste/login', sendPage('login.html'));
  app.get('/waste/review', { preHandler: ctx.requireReviewer }, sendPage('review.html'));
  app.get('/waste/home', async (request, reply) => (request.session.get('wasteCompany') ? reply.sendFile('home.html', PUBLIC_DIR) : reply.redirect('/waste/login')));

  const applicant = (request: FastifyRequest): Actor => {
    let id = request.session.get('wasteApplicant');
    if (id === undefined) {
      id = `waste-applicant:${randomUUID()}`;
      request.session.set('wasteApplicant', id);
    }
    return { role: 'applicant', id };
  };
  const currentApplication = (request: FastifyRequest): string => {
    const id = request.session.get('wasteApplicationId');
    if (id === undefined) throw new PageError(409, 'NO_APPLICATION', '請先填寫帳號申請');
    return id;
  };

  // 縣市別及郵遞區號輔助填寫: the 縣市 / 鄉鎮市區 selects and the 郵遞區號 each fills in (the SDK's directory).
  app.get('/waste/api/postal-areas', async () => ({ counties: waste.postalCounties() }));

  // 載入: the demo company registry fills 公司名稱, 負責人名稱 and 營利事業登記地址.
  app.get('/waste/api/company/:businessId', async (request) => waste.loadCompany((request.params as { businessId: string }).businessId));

  // 帳號申請 → 送出: the SDK's application and the host's password hash in one transaction.
  app.post('/waste/api/applications', { preHandler: ctx.limitApplications }, async (request, reply) => {
    const password = field(request.body, 'password');
    const problem = passwordProblem(password);
    const input = applicationInput(request.body);
    const actor = applicant(request);
    let sdkIssues: InvalidInputError['issues'] = [];
    let application: Awaited<ReturnType<WasteSystemFlow['apply']>> | undefined;
    if (problem === undefined) {
      const hash = await hashPassword(password as string);
      try {
        application = await ctx.store.transaction(async (tx) => {
          const made = await new WasteSystemFlow({ ...options, store: joinTransaction(tx) }).apply(input, actor);
          await tx.query('INSERT INTO portal_waste_passwords (application_id, business_id, control_number, password_hash) VALUES ($1, $2, $3, $4)', [
            made.id,
            made.businessId,
            made.controlNumber ?? null,
            hash,
          ]);
          return made;
        });
      } catch (err) {
        if (!(err instanceof InvalidInputError)) throw err;
        sdkIssues = err.issues;
      }
    } else {
      // A refused password still lists the form's other problems: the whole form is marked in one round trip.
      try {
        parseWasteApplication(input);
      } catch (err) {
        if (!(err instanceof InvalidInputError)) throw err;
        sdkIssues = err.issues;
      }
    }
    if (application === undefined) {
      const issues = sdkIssues.map(pageIssue);
      if (problem !== undefined) issues.unshift({ field: 'password', message: problem, label: '自訂密碼' });
      const first = issues[0];
      return reply.code(400).send({
        error: { code: 'INVALID_INPUT', message: first ? `${first.label}：${first.message}` : '申請資料有誤', issues },
      });
    }
    request.session.set('wasteApplicationId', application.id);
    return reply.code(201).send({ applicationId: application.id, status: application.status, businessId: application.businessId });
  });

  // 列印申請表: the SDK's printable 網路帳號密碼申請書 (A4, stamp boxes).
  app.get('/waste/applications/:id/print', async (request, reply) => {
    const { id } = request.params as { id: string };
    const html = await waste.printableForm(id, applicant(request), { systemName: BRANDING.systemName });
    return reply.type('text/html; charset=utf-8').send(html);
  });

  // 上傳: the stamped 申請書 and the 營利事業登記証影本 (the type is read from the bytes, by the SDK).
  app.post('/waste/api/application/documents', async (request) => {
    const id = currentApplication(request);
    const kind = String((request.query as Record<string, unknown>).kind ?? '') as WasteDocumentKind;
    if (!DOCUMENT_KINDS.includes(kind)) throw new PageError(400, 'INVALID_INPUT', '文件種類有誤');
    const file = await request.file({ limits: { fileSize: maxUploadBytes, files: 1 } });
    if (file === undefined) throw new PageError(400, 'INVALID_INPUT', '請選擇要上傳的檔案');
    const tooLarge = new PageError(413, 'FILE_TOO_LARGE', `檔案超過 ${+(maxUploadBytes / (1024 * 1024)).toFixed(1)} MB 上限，請縮小後重新上傳`);
    let content: Buffer;
    try {
      content = await file.toBuffer();
    } catch (err) {
      if ((err as { code?: unknown }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge;
      throw err;
    }
    // toBuffer notices the limit only if it is hit before the last chunk is read; past it, it hands back the first
    // maxUploadBytes bytes as if they were the file (a cut PDF the SDK would accept, exactly at its limit).
    if (file.file.truncated) throw tooLarge;
    const info = await waste.uploadDocument(id, { kind, content, fileName: file.filename }, applicant(request));
    return { kind: info.kind, mediaType: info.mediaType, size: info.size, sha256: info.sha256, fileName: info.fileName ?? '' };
  });
  app.post('/waste/api/application/submit', async (request) => {
    const application = await waste.submitForReview(currentApplication(request), applicant(request));
    return { status: application.status };
  });

  // 審核 (reviewer login required): the queue, the documents, approve (驗證碼 mail) or reject (reason mail).
  app.get('/waste/api/review/applications', { preHandler: ctx.requireReviewer }, async () => {
    const page = await waste.reviewQueue({ status: 'underReview', limit: 50, offset: 0 });
    return {
      applications: page.items.map((a) => ({
        id: a.id,
        businessId: a.businessId,
        controlNumber: a.controlNumber ?? '',
        companyName: a.companyName,
        contactName: a.contactName,
        contactEmail: a.contactEmail,
        methods: a.methods,
        submittedAt: a.updatedAt,
      })),
    };
  });
  app.get('/waste/api/review/applications/:id/documents/:kind', { preHandler: ctx.requireReviewer }, async (request, reply) => {
    const { id, kind } = request.params as { id: string; kind: string };
    if (!DOCUMENT_KINDS.includes(kind as WasteDocumentKind)) throw new PageError(404, 'NOT_FOUND', '無此文件');
    const doc = await waste.getDocument(id, kind as WasteDocumentKind, ctx.reviewer);
    return reply.type(doc.mediaType).header('content-disposition', 'inline').header('x-content-type-options', 'nosniff').send(Buffer.from(doc.content));
  });
  app.post('/waste/api/review/applications/:id/:action', { preHandler: ctx.requireReviewer }, async (request) => {
    const { id, action } = request.params as { id: string; action: string };
    const note = field(request.body, 'reason');
    if (action === 'approve') {
      const mailed = await waste.approve(id, ctx.reviewer, typeof note === 'string' && note !== '' ? note : undefined);
      return { status: mailed.application.status, sentTo: mailed.mailedTo, codeSent: mailed.codeSent };
    }
    if (action !== 'reject') throw new PageError(404, 'NOT_FOUND', '無此功能');
    const application = await waste.reject(id, ctx.reviewer, typeof note === 'string' ? note : '');
    return { status: application.status };
  });

  // 重新寄送驗證碼 (reviewer): a new 驗證碼 for an approved company, mailed to its 承辦人; the old one dies.
  app.post('/waste/api/review/resend-code', { preHandler: ctx.requireReviewer }, async (request) => {
    const controlNumber = textField(request.body, 'controlNumber');
    const target = { businessId: textField(request.body, 'businessId'), ...(controlNumber === '' ? {} : { controlNumber }) };
    const mailed = await waste.resendVerificationCode(target, ctx.reviewer);
    return { sentTo: mailed.mailedTo, codeSent: mailed.codeSent };
  });

  // 啟用憑證: the typed 統一編號 / 管制編號 / 驗證碼 wait in the session for the card step.
  app.post('/waste/api/enable', async (request) => {
    const form = {
      businessId: textField(request.body, 'businessId'),
      controlNumber: textField(request.body, 'controlNumber'),
      code: textField(request.body, 'code'),
    };
    const missing = [
      ['businessId', '統一編號'],
      ['code', '驗證碼'],
    ].filter(([k]) => form[k as keyof typeof form] === '');
    if (missing.length > 0) throw new PageError(400, 'INVALID_INPUT', `請輸入${missing.map(([, l]) => l).join('、')}`);
    request.session.set('wasteEnable', form);
    return { ok: true };
  });
  const enableForm = (request: FastifyRequest): { businessId: string; controlNumber: string; code: string } => {
    const form = request.session.get('wasteEnable');
    if (form === undefined) throw new PageError(409, 'NO_FORM', '請輸入統一編號、管制編號及驗證碼');
    return form;
  };
  ctx.cardStep(
    app,
    '/waste/card/enable',
    async (login, request) => {
      const form = enableForm(request);
      const card = cardViewOf(login);
      const { notice, binding } = await waste.activate(
        {
          businessId: form.businessId,
          ...(form.controlNumber === '' ? {} : { controlNumber: form.controlNumber }),
          verificationCode: form.code,
          holder: card.holder,
        },
        applicant(request),
      );
      request.session.set('wasteEnable', undefined);
      return { notice, method: binding.method, name: card.name, cardNumber: card.cardNumber };
    },
    enableForm,
  );

  // 憑證登入: a citizen card or the company's MOEACA card, once enabled.
  ctx.cardStep(app, '/waste/card/login', async (login, request) => {
    const card = cardViewOf(login);
    const { account, binding } = await waste.login(card.holder);
    const record = await waste.loginRecord({ businessId: account.businessId, ...(account.controlNumber ? { controlNumber: account.controlNumber } : {}) });
    const company = {
      businessId: account.businessId,
      controlNumber: account.controlNumber ?? '',
      via: METHOD_LABELS[binding.method],
      companyName: record.account.companyName,
    };
    await request.session.regenerate();
    request.session.set('wasteCompany', company);
    return { ...company, name: card.name };
  });
  app.get('/waste/api/me', async (request) => {
    const company = request.session.get('wasteCompany');
    if (company === undefined) throw new PageError(401, 'NOT_LOGGED_IN', '請先以憑證登入');
    const record = await waste.loginRecord({ businessId: company.businessId, ...(company.controlNumber ? { controlNumber: company.controlNumber } : {}) });
    return { ...company, cards: bindingsOf(record) };
  });
  app.post('/waste/api/logout', async (request) => {
    await request.session.destroy();
    return { ok: true };
  });

}

const METHOD_LABELS = { citizenCard: '自然人憑證', companyCard: '工商憑證' } as const;

/** The bound cards of a login record, as the home page lists them. */
function bindingsOf(record: Awaited<ReturnType<WasteSystemFlow['loginRecord']>>): Array<Record<string, string>> {
  return record.bindings.map((b) => ({
    method: METHOD_LABELS[b.method],
    holderName: b.holderName,
    cardNumber: b.cardNumber ?? '',
    certificateSerial: b.certificateSerial,
  }));
}
