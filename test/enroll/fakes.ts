/** Test doubles without a vitest dependency (also used by child processes). */
import { BASIC_DATA_FIELDS, type BasicData, type BasicDataField } from '../../src/enroll/domain/basic-data.js';
import type { VerifiedCardHolder } from '../../src/enroll/domain/card-holder.js';
import { markVerified } from '../../src/enroll/domain/verified-holder.js';
import type { ControlNumber } from '../../src/enroll/domain/identifiers.js';
import type { EmsComparison, EmsRecordSource, EmsVerifier, FieldVerdict } from '../../src/enroll/ports/ems.js';

/**
 * A MOICA citizen card with a deterministic card number and serial, marked as
 * `cardHolderFromLogin` marks a verified login's holder (the flows refuse
 * anything else). A spread copy of it is unmarked, as a hand-built one is.
 */
export function citizenCard(n: number, overrides: Partial<VerifiedCardHolder> = {}): VerifiedCardHolder {
  return markVerified({
    authority: 'MOICA',
    subjectName: `王小明${n}`,
    cardNumber: `TP03${String(n).padStart(12, '0')}`,
    certificateSerial: `4a${n.toString(16).padStart(14, '0')}`,
    idHint: '6789',
    ...overrides,
  });
}

/** The EMS record of control number H5600123 and matching typed basic data. */
export function basicDataFor(controlNumber = 'H5600123'): Record<BasicDataField, string> {
  return {
    controlNumber,
    companyName: '台灣化學運輸股份有限公司',
    responsiblePerson: '陳大文',
    facilityAddress: '臺北市中正區重慶南路一段122號',
    facilityEmail: `ems-${controlNumber.toLowerCase()}@example.com.tw`,
    mailingAddress: '臺北市中正區重慶南路一段122號',
    contactName: '林小華',
    contactEmail: 'typed-contact@example.com',
  };
}

/** Fields the fake EMS compares; the rest show blank on the seed's result page. */
const COMPARED: readonly BasicDataField[] = ['controlNumber', 'companyName', 'responsiblePerson', 'facilityAddress', 'facilityEmail'];

/** In-memory EMS: verifier plus facility e-mail source over the same records. */
export class FakeEms implements EmsVerifier, EmsRecordSource {
  public readonly records = new Map<string, Record<BasicDataField, string>>();
  public calls = 0;

  public put(record: Record<BasicDataField, string>): void {
    this.records.set(record.controlNumber, record);
  }

  public verify(data: BasicData): Promise<EmsComparison> {
    this.calls++;
    const rec = this.records.get(data.controlNumber);
    const fields = {} as Record<BasicDataField, FieldVerdict>;
    for (const f of BASIC_DATA_FIELDS) {
      if (!COMPARED.includes(f)) fields[f] = 'notCompared';
      else fields[f] = rec !== undefined && rec[f] === data[f] ? 'match' : 'mismatch';
    }
    return Promise.resolve({ passed: COMPARED.every((f) => fields[f] === 'match'), fields });
  }

  public facilityEmail(controlNumber: ControlNumber): Promise<string | undefined> {
    return Promise.resolve(this.records.get(controlNumber)?.facilityEmail);
  }
}

/** Extracts the activation token from a mail body's `?key=` link. */
export function tokenFromMail(text: string): string {
  const m = /key=([A-Za-z0-9_-]{43})/.exec(text);
  if (m?.[1] === undefined) throw new Error('no activation link in mail');
  return m[1];
}
