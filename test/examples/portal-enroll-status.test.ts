/**
 * The portal answered enrollment errors from its own table, which disagreed with the SDK's card-login routes (the
 * portal's own card steps): EMS_FAILURE, MAIL_FAILED and COMPANY_REGISTRY_FAILURE 502 without Retry-After, a misused
 * transaction 409, and everything it did not list (the personnel system down, an agency directory that cannot
 * search, a state document that does not read back, a login method switched off) the request's 409. It now answers
 * each code as the SDK's ENROLL_ERROR_STATUS says, with ENROLL_RETRY_AFTER_SECONDS on every 503, in its usual
 * `{ error: { code, message } }` shape (Fastify's inject, PGlite, no browser, no cards).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENROLL_ERROR_CODES, ENROLL_ERROR_STATUS, EnrollError, enrollRetryAfter, StaticAgencyDirectory, type AgencyDirectory, type EnrollErrorCode } from 'twpki/enroll';
import { defaultMessages } from 'twpki/messages';
import { createTestPki } from 'twpki/testing';
import { startMailSink, type MailSink } from '../../examples/portal/core/mail-sink.js';
import type { PortalSystem } from '../../examples/portal/core/portal.js';
import { demoTrust } from '../../examples/portal/demo-setup.js';
import { DEMO_MEMBERS, DEMO_OID_AGENCIES, DEMO_PERSONNEL } from '../../examples/portal/official/demo.js';
import { officialSystem } from '../../examples/portal/official/index.js';
import { startPortal, type Portal } from '../../examples/portal/server.js';
import { recordingLogger, type Logged } from './support/recording-logger.js';

/** A system whose one route throws the enrollment error its path names, as a flow would. */
const probe: PortalSystem = {
  id: 'probe',
  title: 'probe',
  links: [],
  async register(app) {
    app.get('/probe/:code', async (request) => {
      throw new EnrollError((request.params as { code: EnrollErrorCode }).code, 'thrown by the probe route (test)');
    });
  },
};

/** The demo's agencies, behind a directory that has no search by name (this deployment does not offer it). */
const demoAgencies = new StaticAgencyDirectory(DEMO_OID_AGENCIES);
const agencies: AgencyDirectory = {
  findByOid: (oid) => demoAgencies.findByOid(oid),
  findByAgencyCode: (code) => demoAgencies.findByAgencyCode(code),
};

describe('the portal answers every enrollment error as the SDK does', () => {
  let sink: MailSink;
  let portal: Portal;
  const logged: Logged[] = [];

  beforeAll(async () => {
    const pki = await createTestPki();
    sink = await startMailSink();
    portal = await startPortal({
      port: 0,
      systems: [probe, officialSystem({ members: DEMO_MEMBERS, agencies, personnel: DEMO_PERSONNEL })],
      ...demoTrust(pki),
      smtp: { host: sink.host, port: sink.port },
      reviewerPassword: 'reviewer-secret-4',
      databaseUrl: '',
      logger: recordingLogger(logged),
    });
  }, 60_000);

  afterAll(async () => {
    await portal?.close();
    await sink?.close();
  });

  /** Status, Retry-After and body of the probe route throwing `code`. */
  async function answer(code: string): Promise<[number, string | undefined, unknown]> {
    const res = await portal.app.inject({ method: 'GET', url: `/probe/${code}` });
    return [res.statusCode, res.headers['retry-after'] as string | undefined, JSON.parse(res.body) as unknown];
  }

  it('statuses that changed: another system down is 503 with Retry-After (not 502, not 409), a misused transaction 500', async () => {
    const changed = [
      ['EMS_FAILURE', 503, '60'],
      ['MAIL_FAILED', 503, '60'],
      ['COMPANY_REGISTRY_FAILURE', 503, '60'],
      ['PERSONNEL_SYSTEM_FAILURE', 503, '60'],
      ['NESTED_TRANSACTION', 500, undefined],
      ['TRANSACTION_ENDED', 500, undefined],
      ['AGENCY_SEARCH_UNAVAILABLE', 501, undefined],
      ['INVALID_STATE_DOCUMENT', 400, undefined],
      ['LOGIN_METHOD_DISABLED', 403, undefined],
    ] as const;
    const got = [];
    for (const [code] of changed) {
      const [status, retryAfter, body] = await answer(code);
      got.push([code, status, retryAfter]);
      // The usual shape: the code and the catalogue's Chinese message, nothing of the thrown detail.
      expect(body).toEqual({ error: { code, message: defaultMessages.describe(new EnrollError(code, 'x')).messages.zhTW } });
    }
    expect(got).toEqual(changed);
  });

  it('every code: ENROLL_ERROR_STATUS, and Retry-After exactly on the 503s', async () => {
    const got = [];
    const expected = [];
    for (const code of ENROLL_ERROR_CODES) {
      const [status, retryAfter] = await answer(code);
      got.push([code, status, retryAfter]);
      const seconds = enrollRetryAfter(code);
      expected.push([code, ENROLL_ERROR_STATUS[code], seconds === undefined ? undefined : String(seconds)]);
    }
    expect(got).toEqual(expected);
  });

  it('查詢機關OID on a directory that cannot search is 501, without Retry-After (was the request\'s 409)', async () => {
    const before = logged.length;
    const res = await portal.app.inject({ method: 'GET', url: `/official/api/agencies?name=${encodeURIComponent('消防')}` });
    expect([res.statusCode, res.headers['retry-after']]).toEqual([501, undefined]);
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'AGENCY_SEARCH_UNAVAILABLE', message: '目前無法查詢機關OID，請直接輸入新機關OID' } });
    // The deployment's choice, not an incident: an info line, no error line per user who searches.
    const about = logged.slice(before).filter((entry) => JSON.stringify(entry.args).includes('AGENCY_SEARCH_UNAVAILABLE'));
    expect(about.map((entry) => entry.level)).toEqual(['info']);
  });
});
