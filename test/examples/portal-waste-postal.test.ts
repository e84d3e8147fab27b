/**
 * The portal's waste routes while the 郵遞區號 directory cannot answer (Fastify's inject, no browser, no cards):
 * POSTAL_CODES_UNAVAILABLE is the server's own dependency being down, not a conflict with the request, so the
 * selects' list and 送出 answer 503 with Retry-After, in the portal's usual `{ error: { code, message } }` shape,
 * whether the SDK's table or a host's directory (a plain Error) failed, and the cause goes to the portal's logger;
 * 載入 still answers (its address flagged, not refused). The browser side is in portal-waste.browser.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnrollError, StaticCompanyRegistry, twzipcodeDirectory, type CompanyRegistry, type PostalCodeDirectory } from 'twpki/enroll';
import { createTestPki } from 'twpki/testing';
import { startMailSink, type MailSink } from '../../examples/portal/core/mail-sink.js';
import { demoTrust } from '../../examples/portal/demo-setup.js';
import { startPortal, type Portal } from '../../examples/portal/server.js';
import { DEMO_COMPANIES } from '../../examples/portal/waste/demo.js';
import { wasteSystem } from '../../examples/portal/waste/index.js';
import { recordingLogger, type Logged } from './support/recording-logger.js';

/** A complete 帳號申請 the table, when it answers, accepts (臺北市中正區 → 100). */
const FORM = {
  businessId: '12345675', controlNumber: '', password: 'Waste#2026ok', companyName: '範例環保股份有限公司', representativeName: '王大明',
  representativeId: 'A123456789', regCounty: '臺北市', regDistrict: '中正區', regAddress: '重慶南路一段122號', sameAddress: true, contactName: '李小華',
  phone1: '02-2311-7722', ext1: '12', phone2: '', fax: '02-2311-7723', email: 'clerk@example.com.tw', citizenCard: 'enabled', companyCard: 'enabled',
};

/** The body every POSTAL_CODES_UNAVAILABLE answer carries: the catalogue's words and the code, nothing else. */
const UNAVAILABLE = { error: { code: 'POSTAL_CODES_UNAVAILABLE', message: '郵遞區號資料無法載入，請洽系統管理者' } };

/**
 * The SDK's table, switchable to what it throws when its data file cannot be read (`down`), or to a host's directory
 * whose backend is out, throwing a plain Error (`outage`).
 */
const postal: PostalCodeDirectory & { down: boolean; outage: Error | undefined } = {
  down: false,
  outage: undefined,
  find(county, district) {
    if (postal.outage) throw postal.outage;
    if (postal.down) throw new EnrollError('POSTAL_CODES_UNAVAILABLE', 'the 郵遞區號 table could not be loaded (test)');
    return twzipcodeDirectory.find(county, district);
  },
  counties() {
    if (postal.outage) throw postal.outage;
    if (postal.down) throw new EnrollError('POSTAL_CODES_UNAVAILABLE', 'the 郵遞區號 table could not be loaded (test)');
    return twzipcodeDirectory.counties();
  },
};

const logged: Logged[] = [];

/** The demo's companies, switchable to a registry that cannot answer (its service down). */
const demoRegistry = new StaticCompanyRegistry(DEMO_COMPANIES);
const registry: CompanyRegistry & { down: boolean } = {
  down: false,
  findByBusinessId(businessId) {
    return registry.down ? Promise.reject(new Error('connect ECONNREFUSED (test)')) : demoRegistry.findByBusinessId(businessId);
  },
};

interface Reply {
  status: number;
  headers: Record<string, unknown>;
  body: unknown;
}

describe('portal waste routes while the 郵遞區號 table cannot be read', () => {
  let sink: MailSink;
  let portal: Portal;

  beforeAll(async () => {
    const pki = await createTestPki();
    sink = await startMailSink();
    portal = await startPortal({
      port: 0,
      systems: [wasteSystem({ companies: registry, postalCodes: postal })],
      ...demoTrust(pki),
      smtp: { host: sink.host, port: sink.port },
      reviewerPassword: 'reviewer-secret-4',
      databaseUrl: '',
      logger: recordingLogger(logged),
    });
  }, 60_000);

  afterAll(async () => {
    postal.down = false;
    postal.outage = undefined;
    await portal?.close();
    await sink?.close();
  });

  async function call(method: 'GET' | 'POST', url: string, body?: unknown): Promise<Reply> {
    const res = await portal.app.inject({
      method,
      url,
      headers: { origin: portal.url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    return { status: res.statusCode, headers: res.headers, body: JSON.parse(res.body) as unknown };
  }

  it('the selects\' list and 送出 answer 503 with Retry-After and the usual error body; 載入 still answers; all answer again once it is back', async () => {
    try {
      postal.down = true;
      for (const reply of [await call('GET', '/waste/api/postal-areas'), await call('POST', '/waste/api/applications', FORM)]) {
        expect(reply.status).toBe(503);
        // A whole number of seconds (RFC 9110's delay-seconds), at least one.
        expect(reply.headers['retry-after']).toMatch(/^[1-9]\d*$/);
        expect(reply.headers['cache-control']).toBe('no-store');
        expect(reply.body).toEqual(UNAVAILABLE);
      }
      // 載入 is not refused: the company is answered, its address flagged as not split.
      const loaded = await call('GET', '/waste/api/company/53212539');
      expect(loaded.status).toBe(200);
      expect(loaded.body).toMatchObject({ companyName: '測試清運有限公司', registeredAddress: { address: '高雄市前鎮區成功二路25號', postalCodesUnavailable: true } });
      // Refusals of the request itself keep their statuses, without Retry-After: an unknown company 404, a bad 統一編號 400.
      const refused = [await call('GET', '/waste/api/company/04595257'), await call('GET', '/waste/api/company/12345678')];
      expect(refused.map((r) => [r.status, r.headers['retry-after']])).toEqual([
        [404, undefined],
        [400, undefined],
      ]);
    } finally {
      postal.down = false;
    }
    const areas = await call('GET', '/waste/api/postal-areas');
    expect(areas.status).toBe(200);
    expect(areas.headers['retry-after']).toBeUndefined();
    expect((await call('POST', '/waste/api/applications', FORM)).status).toBe(201);
  });

  it("a host's directory that throws a plain Error (its backend out): the selects' list is 503 with Retry-After, and the cause is logged", async () => {
    const outage = new Error('connect ECONNREFUSED 10.0.0.7:5432 (the directory backend, test)');
    logged.length = 0;
    try {
      postal.outage = outage;
      const reply = await call('GET', '/waste/api/postal-areas');
      // An upstream outage, as the SDK's own table being unreadable is: not a 500, nothing of the error shown.
      expect(reply.status).toBe(503);
      expect(reply.headers['retry-after']).toBe('60');
      expect(reply.headers['cache-control']).toBe('no-store');
      expect(reply.body).toEqual(UNAVAILABLE);
    } finally {
      postal.outage = undefined;
    }
    // The operator sees why: the answer's error, with the directory's own error as its cause.
    const errors = logged.filter((entry) => entry.level === 'error');
    expect(errors).toHaveLength(1);
    const [first] = errors[0]?.args ?? [];
    expect(first).toBeInstanceOf(EnrollError);
    expect((first as EnrollError).code).toBe('POSTAL_CODES_UNAVAILABLE');
    expect((first as EnrollError).cause).toBe(outage);
    expect((await call('GET', '/waste/api/postal-areas')).status).toBe(200);
    // Requests as such are not logged (a URL can carry an activation key): only the failure was.
    expect(logged.map((entry) => entry.level)).toEqual(['error']);
  });

  it('載入 while the company registry cannot answer is 503 with Retry-After: 60 (another system down, as EMS_FAILURE), not a 502 or a conflict', async () => {
    try {
      registry.down = true;
      const failed = await call('GET', '/waste/api/company/53212539');
      expect(failed.status).toBe(503);
      expect(failed.headers['retry-after']).toBe('60');
      expect(failed.headers['cache-control']).toBe('no-store');
      expect(failed.body).toEqual({ error: { code: 'COMPANY_REGISTRY_FAILURE', message: '公司資料載入失敗，請稍後再試或自行填寫' } });
    } finally {
      registry.down = false;
    }
    expect((await call('GET', '/waste/api/company/53212539')).status).toBe(200);
  });
});
