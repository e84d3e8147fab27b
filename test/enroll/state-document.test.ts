import { describe, expect, it } from 'vitest';
import { rehydrateState, serializeState, STATE_DOCUMENT_FORMAT, type EnrollState } from '../../src/enroll/state-document.js';
import { EnrollError } from '../../src/enroll/errors.js';
import type { AccountApplication } from '../../src/enroll/flows/account-records.js';
import type { ControlNumber, AgencyOid, BusinessId, CertificateSerial, EmailAddress, NationalId } from '../../src/enroll/domain/identifiers.js';
import type { WasteApplication } from '../../src/enroll/flows/waste-records.js';

const times = { createdAt: '2026-03-02T01:00:00.000Z', updatedAt: '2026-03-02T02:00:00.000Z', version: 3 };
const account: AccountApplication = {
  id: '9b2f0a52-8d1e-4c1a-9c39-2d9f0e1b7a10',
  controlNumber: 'H5600123' as ControlNumber,
  status: 'emsRejected',
  emsComparison: {
    passed: false,
    fields: {
      controlNumber: 'match',
      companyName: 'match',
      responsiblePerson: 'match',
      facilityAddress: 'mismatch',
      facilityEmail: 'match',
      mailingAddress: 'notCompared',
      contactName: 'notCompared',
      contactEmail: 'notCompared',
    },
  },
  ...times,
};
const states: EnrollState[] = [
  { flow: 'account', state: account },
  {
    flow: 'organization',
    state: {
      agencyCode: 'A1234',
      status: 'manualReview',
      organizationName: '內政部消防署',
      organizationAuthority: 'GCA',
      organizationCertificateSerial: 'a1' as CertificateSerial,
      organizationIdentifier: '2.16.886.101.9',
      administrator: { certificateSerial: '4a01' as CertificateSerial, name: '張', email: 'a@b.tw', phone: '0227013411' },
      reviewContact: { name: '王', phone: '0227013411' },
      retryNotBefore: '2026-03-08T16:00:00.000Z',
      ...times,
    },
  },
  {
    flow: 'loginEnablement',
    state: {
      businessId: '04595257' as BusinessId,
      companyName: '測試公司',
      status: 'bound',
      methods: { citizenCard: 'enabled', companyCard: 'disabled' },
      codeExpiresAt: '2026-04-01T00:00:00.000Z',
      ...times,
    },
  },
  {
    flow: 'officialAccount',
    state: {
      id: '9b2f0a52-8d1e-4c1a-9c39-2d9f0e1b7a11',
      memberId: 'm1',
      agencyOid: '2.16.886.101.20003' as AgencyOid,
      agencyName: '內政部消防署',
      reason: '公務人員',
      status: 'manualReview',
      attempt: 2,
      ...times,
    },
  },
];

const waste: WasteApplication = {
  id: '3c1d7e2a-5b6f-4a8e-9d0c-1e2f3a4b5c6d',
  businessId: '04595257' as BusinessId,
  controlNumber: 'H5600123' as ControlNumber,
  companyName: '台灣環保股份有限公司',
  representativeName: '王大明',
  representativeId: 'A123456789' as NationalId,
  registeredAddress: { postalCode: '100', address: '臺北市中正區中山南路1號' },
  mailingAddress: { postalCode: '10048', address: '臺北市中正區中山南路1號2樓' },
  contactName: '陳小華',
  contactPhone1: { number: '02-23117722', extension: '2101' },
  contactFax: '02-23115555',
  contactEmail: 'contact@example.com.tw' as EmailAddress,
  methods: { citizenCard: 'enabled', companyCard: 'disabled' },
  status: 'rejected',
  reviewNote: '用印不清楚',
  reviewedAt: '2026-03-02T01:30:00.000Z',
  ...times,
};
states.push({ flow: 'wasteApplication', state: waste });

describe('state documents', () => {
  it.each(states.map((s) => [s.flow, s] as const))('%s round-trips', (_f, s) => {
    const json = serializeState(s);
    expect(JSON.parse(json).format).toBe(STATE_DOCUMENT_FORMAT);
    expect(rehydrateState(json)).toEqual(s);
  });

  const mutate = (f: (doc: { format: string; flow: string; state: Record<string, unknown> }) => void): string => {
    const doc = JSON.parse(serializeState(states[0] as EnrollState));
    f(doc);
    return JSON.stringify(doc);
  };

  it.each([
    ['not JSON', '{'],
    ['an array', '[]'],
    ['wrong format', mutate((d) => (d.format = 'twpki.enroll.state/0'))],
    ['unknown flow', mutate((d) => (d.flow = 'toString'))],
    ['unknown status', mutate((d) => (d.state.status = 'hacked'))],
    ['bad control number', mutate((d) => (d.state.controlNumber = '1'))],
    ['bad timestamp', mutate((d) => (d.state.updatedAt = 'yesterday'))],
    ['negative version', mutate((d) => (d.state.version = -1))],
    ['missing state', mutate((d) => delete (d as { state?: unknown }).state)],
    ['bad comparison', mutate((d) => (d.state.emsComparison = { passed: 'yes' }))],
    ['a waste application with a bad 統一編號', JSON.stringify({ format: STATE_DOCUMENT_FORMAT, flow: 'wasteApplication', state: { ...waste, businessId: '04595258' } })],
    ['a waste application with an unknown login-method state', JSON.stringify({ format: STATE_DOCUMENT_FORMAT, flow: 'wasteApplication', state: { ...waste, methods: { citizenCard: 'on', companyCard: 'disabled' } } })],
    ['a waste application in a status of another flow', JSON.stringify({ format: STATE_DOCUMENT_FORMAT, flow: 'wasteApplication', state: { ...waste, status: 'manualReview' } })],
  ])('rejects %s', (_n, json) => {
    try {
      rehydrateState(json);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(EnrollError);
      expect((e as EnrollError).code).toBe('INVALID_STATE_DOCUMENT');
    }
  });
});

describe('serializeState checks what it is given', () => {
  const refused = (value: unknown): EnrollError => {
    try {
      serializeState(value as EnrollState);
    } catch (e) {
      expect(e).toBeInstanceOf(EnrollError);
      return e as EnrollError;
    }
    return expect.unreachable('serializeState accepted it');
  };

  it.each([
    ['nothing', undefined, /the serialized value must be an object/],
    ['a flow no SDK has', { flow: 'payroll', state: account }, /unknown flow/],
    ['a status of another flow', { flow: 'account', state: { ...account, status: 'manualReview' } }, /status is not a state of the account flow/],
    ['a malformed 管制編號', { flow: 'account', state: { ...account, controlNumber: '1' } }, /controlNumber is malformed/],
    ['no version', { flow: 'account', state: { ...account, version: undefined } }, /version must be a non-negative integer/],
    ['a BigInt', { flow: 'account', state: { ...account, version: 3n } }, /state is not JSON data/],
  ])('refuses %s with INVALID_STATE_DOCUMENT naming the field, at serialization', (_n, value, message) => {
    const error = refused(value);
    expect([error.code, error.message]).toEqual(['INVALID_STATE_DOCUMENT', expect.stringMatching(message)]);
  });

  it('a cycle is refused as not JSON data, not a TypeError', () => {
    const looped: Record<string, unknown> = { ...account };
    looped.self = looped;
    expect(refused({ flow: 'account', state: looped }).message).toMatch(/state is not JSON data/);
  });

  it('a Date in a time field is written as the ISO text rehydration expects', () => {
    const withDate = { flow: 'account', state: { ...account, updatedAt: new Date('2026-03-02T02:00:00.000Z') } };
    expect(rehydrateState(serializeState(withDate as unknown as EnrollState))).toEqual({ flow: 'account', state: account });
  });
});

describe('an organization registration without its administrator', () => {
  const org = (states[1] as Extract<EnrollState, { flow: 'organization' }>).state;
  const { administrator: _named, ...reviewAtCardCheck } = org;

  it('round-trips a review filed at 機關憑證確認 (requestReview: the 申請人 only, no administrator yet)', () => {
    const doc = { flow: 'organization', state: reviewAtCardCheck } as EnrollState;
    expect(rehydrateState(serializeState(doc))).toEqual(doc);
  });

  it('refuses a registered agency without one (every command of a registered agency authenticates the administrator)', () => {
    const doc = { flow: 'organization', state: { ...reviewAtCardCheck, status: 'registered' } } as EnrollState;
    expect(() => serializeState(doc)).toThrow(/administrator must be an object/);
    const text = JSON.stringify({ format: STATE_DOCUMENT_FORMAT, ...doc });
    expect(() => rehydrateState(text)).toThrow(EnrollError);
  });
});
