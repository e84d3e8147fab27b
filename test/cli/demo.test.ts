import { describe, expect, it } from 'vitest';
import { lockReader } from '../support/reader-lock.js';
import { pcscAvailable } from '../support/pcsc-rig.js';
import { runCli } from './run-cli.js';

interface DemoDoc {
  ok: boolean;
  steps: Array<{ title: string; ok: boolean; detail: Record<string, unknown> }>;
}

describe('twpki demo', () => {
  it('walks card → PIN → login → EMS → enrollment and reports every step as passed', async () => {
    // With pcscd up the demo uses the shared vpcd reader: hold it.
    const release = pcscAvailable() ? await lockReader(35963) : () => undefined;
    try {
      const r = await runCli(['demo', '--json', '--generation', '1']);
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as DemoDoc;
      expect(doc.ok).toBe(true);
      expect(doc.steps).toHaveLength(6);
      const [read, pin, , login, ems, enrollment] = doc.steps;
      expect(read?.detail).toMatchObject({ generation: 1, cardNumber: 'TP03000012345678', authority: 'moica', via: pcscAvailable() ? 'pcscd' : 'in-process' });
      expect(pin?.detail).toMatchObject({ status: 'ok' });
      expect(login?.detail).toMatchObject({ holder: '王小明', signedCardNumber: 'TP03000012345678', revocation: 'good (OCSP from the local test responder)' });
      expect(ems?.detail).toMatchObject({ verdict: 'fail' });
      expect(String(ems?.detail.result)).toContain('✗ 事業地址');
      expect(enrollment?.detail).toMatchObject({ states: 'draft → basicDataVerified → underReview → approved → active', activationMailTo: 'service@example.com.tw' });
    } finally {
      release();
    }
  }, 60_000);

  it('refuses a bad --generation with exit status 2', async () => {
    const r = await runCli(['demo', '--generation', '3']);
    expect(r.code).toBe(2);
  });
});
