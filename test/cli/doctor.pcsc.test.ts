import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmulatorCardSlots, startAgent } from '../../src/agent/index.js';
import { EmulatorReader, PcscContext } from '../../src/pcsc/index.js';
import { createTestPki, createVirtualHiCOSCard, VirtualHiCOSCard, VpcdBridge, virtualCardCredentials, type TestPki } from '../../src/testing/index.js';
import { lockReader } from '../support/reader-lock.js';
import { VIRTUAL_READER, pcscAvailable } from '../support/pcsc-rig.js';
import { runCli } from './run-cli.js';

interface DoctorDoc {
  ok: boolean;
  checks: Array<{ id: string; status: 'ok' | 'warn' | 'fail'; title: { zhTW: string; en: string }; detail?: string; detailZhTW?: string; remedy?: { zhTW: string; en: string } }>;
}

const NOWHERE = 'http://127.0.0.1:9'; // discard port: nothing listens, so "no component"
const DAY = 86_400_000;

function byId(doc: DoctorDoc, id: string): DoctorDoc['checks'][number] | undefined {
  return doc.checks.find((c) => c.id === id);
}

/** Puts `card` in pcscd's vpcd reader (no session held, so the doctor can open it) while `fn` runs. */
async function withCardInReader<T>(card: VirtualHiCOSCard | undefined, fn: () => Promise<T>): Promise<T> {
  const release = await lockReader(35963);
  const bridge = card ? await VpcdBridge.connect(card) : undefined;
  try {
    const ctx = await PcscContext.establish();
    try {
      if (card) await ctx.waitForCard(VIRTUAL_READER, { timeoutMs: 10_000 });
    } finally {
      await ctx.close();
    }
    return await fn();
  } finally {
    await bridge?.close();
    const ctx = await PcscContext.establish();
    const until = Date.now() + 5_000;
    while (Date.now() < until && ctx.readers().some((r) => r.name === VIRTUAL_READER && r.cardPresent)) await new Promise((r) => setTimeout(r, 50));
    await ctx.close();
    release();
  }
}

// A card's first certificate, valid 5 years: a shorter one is taken as a renewal, which has no renewal window.
async function cardExpiringIn(pki: TestPki, days: number): Promise<VirtualHiCOSCard> {
  const notAfter = new Date(Date.now() + days * DAY);
  const notBefore = new Date(notAfter.getTime());
  notBefore.setUTCFullYear(notBefore.getUTCFullYear() - 5);
  const holder = await pki.issueCardHolder({ authority: 'moica', notBefore, notAfter });
  return new VirtualHiCOSCard({
    credentials: virtualCardCredentials(holder),
    cardNumber: 'TP03000012340000',
  });
}

describe('twpki doctor with pcscd down', () => {
  it('fails the pcscd check with a remedy in both languages (child process with no reachable pcscd)', async () => {
    const script = `import { main } from './src/cli/main.ts'; process.exitCode = await main(['doctor', '--json', '--agent-url', '${NOWHERE}']);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: join(import.meta.dirname, '../..'),
      env: { ...process.env, PCSCLITE_CSOCK_NAME: join(tmpdir(), 'twpki-no-pcscd.sock') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    const doc = JSON.parse(out) as DoctorDoc;
    expect(doc.ok).toBe(false);
    expect(byId(doc, 'pcscd')).toMatchObject({ status: 'fail', remedy: { zhTW: expect.stringContaining('pcscd'), en: expect.stringContaining('pcscd') } });
    expect(byId(doc, 'readers')).toBeUndefined();
    expect(byId(doc, 'agent')).toMatchObject({ status: 'fail' });
  }, 60_000);
});

describe.runIf(pcscAvailable())('twpki doctor through pcscd', () => {
  const env = { TWPKI_STATE_DIR: mkdtempSync(join(tmpdir(), 'twpki-doctor-')) };

  it('reports a reader without a card, in Chinese when the locale is zh_TW', async () => {
    const r = await withCardInReader(undefined, () => runCli(['doctor', '--reader', VIRTUAL_READER, '--agent-url', NOWHERE], '', { ...env, LANG: 'zh_TW.UTF-8' }));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✓ 讀卡機服務（pcscd） — 可連線');
    expect(r.stdout).toContain('✗ IC卡 — 讀卡機中沒有IC卡');
    expect(r.stdout).toContain('→ 請將憑證IC卡插入讀卡機');
    expect(r.stdout).toMatch(/✗ 本機元件.* — http:\/\/\S+ 沒有回應（/);
    // --json keeps the English detail scripts read, and gives the Chinese beside it.
    const json = await withCardInReader(undefined, () => runCli(['doctor', '--json', '--reader', VIRTUAL_READER, '--agent-url', NOWHERE], '', env));
    const card = (JSON.parse(json.stdout) as DoctorDoc).checks.find((c) => c.id === 'card');
    expect(card).toMatchObject({ detail: 'no card in any reader', detailZhTW: '讀卡機中沒有IC卡' });
  }, 60_000);

  it('passes everything with a card, a running agent that trusts the origin, and the right PIN', async () => {
    const card = await createVirtualHiCOSCard({ generation: 2, pin: '246810', cardNumber: 'TP03000077770001' });
    const reader = new EmulatorReader({ name: 'agent slot' });
    reader.insert(await createVirtualHiCOSCard());
    const agent = await startAgent({ slots: new EmulatorCardSlots(reader), trusted: ['https://ok.example.gov.tw'], port: 0 });
    try {
      const agentUrl = `http://127.0.0.1:${agent.port}`;
      const [good, untrusted, wrongPin] = await withCardInReader(card, async () => [
        await runCli(['doctor', '--json', '--reader', VIRTUAL_READER, '--agent-url', agentUrl, '--origin', 'https://ok.example.gov.tw', '--pin-stdin'], '246810\n', env),
        await runCli(['doctor', '--json', '--reader', VIRTUAL_READER, '--agent-url', agentUrl, '--origin', 'https://evil.example.com'], '', env),
        await runCli(['doctor', '--json', '--reader', VIRTUAL_READER, '--agent-url', agentUrl, '--pin-stdin'], '999999\n', env),
      ]);
      expect(good.code, good.stdout + good.stderr).toBe(0);
      const doc = JSON.parse(good.stdout) as DoctorDoc;
      expect(doc.ok).toBe(true);
      expect(doc.checks.map((c) => [c.id, c.status])).toEqual([
        ['pcscd', 'ok'],
        ['readers', 'ok'],
        [`card:${VIRTUAL_READER}`, 'ok'],
        [`validity:${VIRTUAL_READER}`, 'ok'],
        ['pin', 'ok'],
        ['sign', 'ok'],
        ['decrypt', 'ok'],
        ['agent', 'ok'],
        ['agent-trust', 'ok'],
      ]);
      expect(byId(doc, `card:${VIRTUAL_READER}`)?.detail).toMatch(/Gen2, 卡號 TP03000077770001, \d certificates, authority moica/);
      expect(byId(doc, 'agent')?.detail).toMatch(/version \d+\.\d+/);

      expect(untrusted.code).toBe(1);
      expect(byId(JSON.parse(untrusted.stdout) as DoctorDoc, 'agent-trust')).toMatchObject({ status: 'fail', detail: 'https://evil.example.com is not trusted' });

      expect(wrongPin.code).toBe(1);
      const wrong = JSON.parse(wrongPin.stdout) as DoctorDoc;
      expect(byId(wrong, 'pin')).toMatchObject({ status: 'fail', detail: 'wrong PIN, 2 tries left' });
      expect(byId(wrong, 'sign')).toBeUndefined(); // no card operation after a wrong PIN
    } finally {
      await agent.close();
    }
  }, 120_000);

  it('warns inside the renewal window and fails an expired certificate', async () => {
    const pki = await createTestPki();
    const soon = await withCardInReader(await cardExpiringIn(pki, 30), () => runCli(['doctor', '--json', '--reader', VIRTUAL_READER, '--agent-url', NOWHERE], '', env));
    const soonCheck = byId(JSON.parse(soon.stdout) as DoctorDoc, `validity:${VIRTUAL_READER}`);
    expect(soonCheck).toMatchObject({ status: 'warn', detail: expect.stringContaining('the renewal window is open') });
    expect(soonCheck?.remedy?.zhTW).toContain('展期');

    const gone = await withCardInReader(await cardExpiringIn(pki, -10), () => runCli(['doctor', '--json', '--reader', VIRTUAL_READER, '--agent-url', NOWHERE], '', env));
    expect(gone.code).toBe(1);
    expect(byId(JSON.parse(gone.stdout) as DoctorDoc, `validity:${VIRTUAL_READER}`)).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^expired on /) });
  }, 120_000);

  it('refuses a malformed --agent-url or --origin as a usage error', async () => {
    expect((await runCli(['doctor', '--agent-url', 'ftp://x'])).code).toBe(2);
    expect((await runCli(['doctor', '--origin', 'https://x.gov.tw/path'])).code).toBe(2);
  });
});
