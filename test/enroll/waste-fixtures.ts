/**
 * Real card logins for the waste-system tests: a generated test PKI (MOICA and
 * MOEACA cards), a login token signed as the local component signs it (card
 * number in the signed attributes), the real login verifier, and the
 * enrollment layer's `cardHolderFromLogin` on its result.
 */
import { ChallengeIssuer, LoginVerifierBuilder, type LoginVerifier } from '../../src/cert/index.js';
import { StaticCompanyRegistry, type VerifiedCardHolder, type WasteApplicationInput } from '../../src/enroll/index.js';
import { createTestPki, type CardHolderCredentials, type TestPki } from '../../src/testing/pki/index.js';
import { cardLogins } from './verified-logins.js';

const ORIGIN = 'https://waste.example.gov.tw';

/** The company of the tests and a second one. */
export const COMPANY = { businessId: '04595257', controlNumber: 'E5600001' } as const;
export const OTHER_COMPANY = '22099131';

/** A test PKI, a verifier over it, and the cards the tests log in with. */
export interface CardRig {
  readonly pki: TestPki;
  readonly verifier: LoginVerifier;
  /** 王小明's citizen card and its renewal (same card, name and ID hint, later start). */
  readonly citizen: CardHolderCredentials;
  readonly citizenRenewed: CardHolderCredentials;
  /** Same 卡號 as `citizen`, another holder name. */
  readonly impostor: CardHolderCredentials;
  /** 陳大文's citizen card. */
  readonly citizen2: CardHolderCredentials;
  /** MOEACA company cards of COMPANY and of OTHER_COMPANY. */
  readonly company: CardHolderCredentials;
  readonly otherCompany: CardHolderCredentials;
  /** A MOEACA renewal on the company card's 卡號 carrying OTHER_COMPANY's 統一編號. */
  readonly companyMoved: CardHolderCredentials;
  /** The company card's genuine renewal (same 卡號, name and 統一編號, later start). */
  readonly companyRenewed: CardHolderCredentials;
  /** Logs `card` in and maps the verified result (as a backend does). */
  login(card: CardHolderCredentials, cardNumber: string): Promise<VerifiedCardHolder>;
}

export const CITIZEN_CARD_NO = 'TP03000012345678';
export const CITIZEN2_CARD_NO = 'TP03000087654321';
export const COMPANY_CARD_NO = 'MC00000000000001';
export const OTHER_COMPANY_CARD_NO = 'MC00000000000002';

let rig: Promise<CardRig> | undefined;

/** One rig per test file (key generation is the slow part). */
export function cardRig(): Promise<CardRig> {
  rig ??= (async () => {
    const now = new Date();
    const pki = await createTestPki({ now, authorities: ['moica', 'moeaca'] });
    const hour = 3_600_000;
    const challenges = new ChallengeIssuer();
    const verifier = new LoginVerifierBuilder()
      .withTrustAnchors(pki.root.certificate)
      .withIntermediates(pki.issuer('moica').certificate, pki.issuer('moeaca').certificate)
      .withAllowedOrigins(ORIGIN)
      .withChallenges(challenges)
      .withoutRevocationCheck()
      .build();
    const old = new Date(now.getTime() - 2 * hour);
    const newer = new Date(now.getTime() - hour / 2);
    const moica = (commonName: string, idHint: string, notBefore: Date) => pki.issueCardHolder({ authority: 'moica', commonName, idHint, notBefore });
    const moeaca = (businessId: string, notBefore: Date) => pki.issueCardHolder({ authority: 'moeaca', commonName: '測試環保股份有限公司', businessId, notBefore });
    return {
      pki,
      verifier,
      citizen: await moica('王小明', '6789', old),
      citizenRenewed: await moica('王小明', '6789', newer),
      impostor: await moica('陳冒名', '6789', newer),
      citizen2: await moica('陳大文', '1234', old),
      company: await moeaca(COMPANY.businessId, old),
      otherCompany: await moeaca(OTHER_COMPANY, old),
      companyMoved: await moeaca(OTHER_COMPANY, newer),
      companyRenewed: await moeaca(COMPANY.businessId, newer),
      login: cardLogins(ORIGIN, challenges, verifier),
    };
  })();
  return rig;
}

/** The registry behind 載入. */
export const registry = new StaticCompanyRegistry([
  {
    businessId: COMPANY.businessId,
    companyName: '測試環保股份有限公司',
    representativeName: '林大同',
    registeredAddress: { postalCode: '100', address: '臺北市中正區重慶南路一段122號' },
  },
]);

/** A complete, valid 網路帳號密碼申請書. */
export function form(overrides: Partial<Record<keyof WasteApplicationInput, unknown>> = {}): WasteApplicationInput {
  return {
    businessId: COMPANY.businessId,
    controlNumber: COMPANY.controlNumber,
    companyName: '測試環保股份有限公司',
    representativeName: '林大同',
    representativeId: 'A123456789',
    registeredAddress: { postalCode: '100', address: '臺北市中正區重慶南路一段122號' },
    mailingAddress: 'sameAsRegistered',
    contactName: '王承辦',
    contactPhone1: { number: '02-2311-7722', extension: '2301' },
    contactPhone2: { number: '0912-345-678' },
    contactFax: '02-2311-7723',
    contactEmail: 'contact@example.com.tw',
    methods: { citizenCard: 'enabled', companyCard: 'enabled' },
    ...overrides,
  } as WasteApplicationInput;
}

/** Minimal files of each accepted type (magic bytes plus filler). */
export const PDF = new Uint8Array(Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'));
export const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0xff, 0xd9]);
export const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);

/** The 驗證碼 in an approval mail. */
export function codeFromMail(text: string): string {
  const m = /驗證碼：([A-Z2-9]{10})/.exec(text);
  if (m?.[1] === undefined) throw new Error('no verification code in mail');
  return m[1];
}

/** Applicant and reviewer of the tests. */
export const APPLICANT = { role: 'applicant', id: 'company-web-04595257' } as const;
export const REVIEWER = { role: 'reviewer', id: 'staff-1' } as const;

/** Drives an application through upload, submission and approval; returns it and the mailed 驗證碼. */
export async function approvedApplication(
  flow: import('../../src/enroll/index.js').WasteSystemFlow,
  mailer: import('../../src/enroll/index.js').CapturingMailer,
  overrides: Partial<Record<keyof WasteApplicationInput, unknown>> = {},
): Promise<{ id: string; code: string }> {
  const app = await flow.apply(form(overrides), APPLICANT);
  await flow.uploadDocument(app.id, { kind: 'applicationForm', content: PDF, fileName: '申請書.pdf' }, APPLICANT);
  await flow.uploadDocument(app.id, { kind: 'businessRegistration', content: JPEG }, APPLICANT);
  await flow.submitForReview(app.id, APPLICANT);
  await flow.approve(app.id, REVIEWER);
  const mail = mailer.last();
  if (mail === undefined) throw new Error('no approval mail');
  return { id: app.id, code: codeFromMail(mail.text) };
}
