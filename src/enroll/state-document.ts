/**
 * Serialized flow states. A record is turned into a versioned JSON document (to
 * hand to a browser, a queue or a cache) and rehydrated with full validation, so
 * a tampered or stale document is an INVALID_STATE_DOCUMENT error, not a crash.
 */
import { parseBusinessId, parseCertificateSerial, parseControlNumber, parseAgencyOid, parseEmail, parseNationalId } from './domain/identifiers.js';
import { EnrollError } from './errors.js';
import type { AccountApplication } from './flows/account-records.js';
import type { LoginAccount } from './flows/login-records.js';
import type { OfficialAccountApplication } from './flows/official-account.js';
import type { OrgRegistration } from './flows/org-records.js';
import type { WasteApplication } from './flows/waste-records.js';
import { ACCOUNT_MACHINE } from './machine/account-machine.js';
import { LOGIN_ENABLEMENT_MACHINE, LOGIN_METHOD_MACHINE } from './machine/login-machine.js';
import { isState, type MachineDefinition } from './machine/machine.js';
import { OFFICIAL_ACCOUNT_MACHINE } from './machine/official-machine.js';
import { WASTE_APPLICATION_MACHINE } from './machine/waste-machine.js';
import { ORG_MACHINE } from './machine/org-machine.js';

/** Format tag of serialized states; bumped on incompatible changes. */
export const STATE_DOCUMENT_FORMAT = 'twpki.enroll.state/1';

/** A flow state tagged with its flow. */
export type EnrollState =
  | {
      /** Account enrollment ({@link AccountEnrollmentFlow}). */
      readonly flow: 'account';
      /** The account application record. */
      readonly state: AccountApplication;
    }
  | {
      /** Organization registration ({@link OrgRegistrationFlow}). */
      readonly flow: 'organization';
      /** The organization registration record. */
      readonly state: OrgRegistration;
    }
  | {
      /** Certificate-login enablement ({@link LoginEnablementFlow}). */
      readonly flow: 'loginEnablement';
      /** The company's login-enablement record. */
      readonly state: LoginAccount;
    }
  | {
      /** Official-account application ({@link OfficialAccountFlow}). */
      readonly flow: 'officialAccount';
      /** The official-account application record. */
      readonly state: OfficialAccountApplication;
    }
  | {
      /** Waste-system application ({@link WasteSystemFlow}). */
      readonly flow: 'wasteApplication';
      /** The waste-system application record (form fields, status, decision). */
      readonly state: WasteApplication;
    };

/**
 * Serializes a state into a JSON document. The document is checked as
 * {@link rehydrateState} checks it, so a record that could not be read back
 * (hand-built or mistyped: a status no flow has, a malformed 統一編號) fails
 * here, where it was made, not wherever it is rehydrated later.
 * @throws EnrollError `INVALID_STATE_DOCUMENT` naming the field.
 */
export function serializeState(value: EnrollState): string {
  const given = obj(value, 'the serialized value');
  let json: string;
  try {
    json = JSON.stringify({ format: STATE_DOCUMENT_FORMAT, flow: given.flow, state: given.state });
  } catch (error) {
    // JSON.stringify's own refusals: a cycle, a BigInt.
    bad(`state is not JSON data (${error instanceof Error ? error.message : String(error)})`);
  }
  checkDocument(JSON.parse(json) as unknown);
  return json;
}

function bad(reason: string): never {
  throw new EnrollError('INVALID_STATE_DOCUMENT', `invalid state document: ${reason}`);
}

type Obj = Record<string, unknown>;

function obj(v: unknown, where: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(`${where} must be an object`);
  return v as Obj;
}

function str(o: Obj, key: string): void {
  if (typeof o[key] !== 'string' || o[key] === '') bad(`${key} must be a non-empty string`);
}

function optStr(o: Obj, key: string): void {
  if (o[key] !== undefined && typeof o[key] !== 'string') bad(`${key} must be a string`);
}

function instant(o: Obj, key: string, optional = false): void {
  if (optional && o[key] === undefined) return;
  str(o, key);
  if (Number.isNaN(Date.parse(o[key] as string))) bad(`${key} must be an ISO timestamp`);
}

function version(o: Obj): void {
  if (!Number.isInteger(o.version) || (o.version as number) < 0) bad('version must be a non-negative integer');
}

function status<S extends string, E extends string>(o: Obj, def: MachineDefinition<S, E>, key = 'status'): void {
  if (!isState(def, o[key])) bad(`${key} is not a state of the ${def.flow} flow`);
}

function valid(check: () => unknown, what: string): void {
  try {
    check();
  } catch {
    bad(`${what} is malformed`);
  }
}

function checkAccount(s: Obj): void {
  str(s, 'id');
  valid(() => parseControlNumber(s.controlNumber), 'controlNumber');
  optStr(s, 'ownerId');
  status(s, ACCOUNT_MACHINE);
  if (s.basicData !== undefined) obj(s.basicData, 'basicData');
  if (s.emsComparison !== undefined) {
    const c = obj(s.emsComparison, 'emsComparison');
    if (typeof c.passed !== 'boolean') bad('emsComparison.passed must be boolean');
    obj(c.fields, 'emsComparison.fields');
  }
  optStr(s, 'reviewNote');
}

function checkOrganization(s: Obj): void {
  str(s, 'agencyCode');
  status(s, ORG_MACHINE);
  for (const k of ['organizationName', 'organizationAuthority', 'organizationIdentifier']) str(s, k);
  valid(() => parseCertificateSerial(s.organizationCertificateSerial), 'organizationCertificateSerial');
  // A review filed at 機關憑證確認 (requestReview) names no administrator yet; a registered agency always has one
  // (migration 0013's CHECK), so a document saying otherwise is not one the flow wrote.
  if (s.administrator !== undefined || s.status === 'registered') {
    const admin = obj(s.administrator, 'administrator');
    valid(() => parseCertificateSerial(admin.certificateSerial), 'administrator.certificateSerial');
    for (const k of ['name', 'email', 'phone']) str(admin, k);
  }
  instant(s, 'retryNotBefore', true);
  optStr(s, 'reviewNote');
}

function checkLogin(s: Obj): void {
  valid(() => parseBusinessId(s.businessId), 'businessId');
  if (s.controlNumber !== undefined) valid(() => parseControlNumber(s.controlNumber), 'controlNumber');
  str(s, 'companyName');
  status(s, LOGIN_ENABLEMENT_MACHINE);
  const m = obj(s.methods, 'methods');
  status(m, LOGIN_METHOD_MACHINE, 'citizenCard');
  status(m, LOGIN_METHOD_MACHINE, 'companyCard');
  instant(s, 'codeExpiresAt');
}

function checkOfficial(s: Obj): void {
  str(s, 'id');
  str(s, 'memberId');
  valid(() => parseAgencyOid(s.agencyOid), 'agencyOid');
  str(s, 'agencyName');
  str(s, 'reason');
  status(s, OFFICIAL_ACCOUNT_MACHINE);
  if (!Number.isInteger(s.attempt) || (s.attempt as number) < 1) bad('attempt must be a positive integer');
  optStr(s, 'reviewNote');
  for (const k of ['attestedAt', 'reviewDueAt', 'decidedAt']) instant(s, k, true);
  optStr(s, 'applicantName');
  if (s.formNumber !== undefined && (!Number.isInteger(s.formNumber) || (s.formNumber as number) < 1)) bad('formNumber must be a positive integer');
  if (s.item !== undefined && s.item !== '自然人轉公務員' && s.item !== '公務人員轉換機關') bad('item is not an 申請項目');
  // Who cancelled decides whether the application counts toward 第二次申請: a forged one must not pass.
  if (s.cancelledBy !== undefined && !(s.status === 'cancelled' && (s.cancelledBy === 'member' || s.cancelledBy === 'system'))) {
    bad('cancelledBy must be member or system, on a cancelled application only');
  }
  if (s.formReceipt !== undefined) {
    const r = obj(s.formReceipt, 'formReceipt');
    instant(r, 'receivedAt');
    if (r.channel !== 'fax' && r.channel !== 'email') bad('formReceipt.channel must be fax or email');
    str(r, 'receivedBy');
  }
  if (s.personnelCheck !== undefined) {
    const c = obj(s.personnelCheck, 'personnelCheck');
    for (const k of ['name', 'nationalId', 'agency']) if (c[k] !== 'match' && c[k] !== 'mismatch') bad(`personnelCheck.${k} must be match or mismatch`);
  }
}

function checkWaste(s: Obj): void {
  str(s, 'id');
  valid(() => parseBusinessId(s.businessId), 'businessId');
  if (s.controlNumber !== undefined) valid(() => parseControlNumber(s.controlNumber), 'controlNumber');
  for (const k of ['companyName', 'representativeName', 'contactName']) str(s, k);
  valid(() => parseNationalId(s.representativeId), 'representativeId');
  valid(() => parseEmail(s.contactEmail), 'contactEmail');
  for (const k of ['registeredAddress', 'mailingAddress', 'contactPhone1']) obj(s[k], k);
  if (s.contactPhone2 !== undefined) obj(s.contactPhone2, 'contactPhone2');
  const m = obj(s.methods, 'methods');
  status(m, LOGIN_METHOD_MACHINE, 'citizenCard');
  status(m, LOGIN_METHOD_MACHINE, 'companyCard');
  status(s, WASTE_APPLICATION_MACHINE);
  optStr(s, 'reviewNote');
  instant(s, 'reviewedAt', true);
}

const CHECKS: Readonly<Record<EnrollState['flow'], (s: Obj) => void>> = {
  account: checkAccount,
  organization: checkOrganization,
  loginEnablement: checkLogin,
  officialAccount: checkOfficial,
  wasteApplication: checkWaste,
};

/** Parses and validates a document produced by {@link serializeState}. */
export function rehydrateState(json: string): EnrollState {
  if (typeof json !== 'string') bad('not JSON text');
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    bad('not JSON');
  }
  return checkDocument(parsed);
}

/** Checks a parsed document field by field; the state it carries. */
function checkDocument(parsed: unknown): EnrollState {
  const doc = obj(parsed, 'document');
  if (doc.format !== STATE_DOCUMENT_FORMAT) bad(`format must be ${STATE_DOCUMENT_FORMAT}`);
  const flow = doc.flow as EnrollState['flow'];
  const check = typeof flow === 'string' && Object.hasOwn(CHECKS, flow) ? CHECKS[flow] : undefined;
  if (check === undefined) bad('unknown flow');
  const state = obj(doc.state, 'state');
  check(state);
  instant(state, 'createdAt');
  instant(state, 'updatedAt');
  version(state);
  return { flow, state } as unknown as EnrollState;
}
