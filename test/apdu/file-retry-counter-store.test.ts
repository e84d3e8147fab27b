/**
 * FileRetryCounterStore when its file misbehaves: a count that cannot be saved must never cost the caller the
 * card's answer (the VERIFY has gone out by then), and a file that holds no counts is reported, not silently
 * taken as empty.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileRetryCounterStore, HiCOSCard } from '../../src/apdu/index.js';
import { EmulatorReader } from '../../src/pcsc/emulator-reader.js';
import type { Transport } from '../../src/pcsc/index.js';
import { VirtualHiCOSCard } from '../../src/testing/hicos/virtual-hicos-card.js';
import { testCredentials } from './support/virtual-cards.js';

beforeAll(async () => {
  await testCredentials();
}, 60_000);

async function insert(): Promise<{ card: VirtualHiCOSCard; reader: EmulatorReader }> {
  const card = new VirtualHiCOSCard({ credentials: await testCredentials(), pin: '123456' });
  const reader = new EmulatorReader();
  reader.insert(card);
  return { card, reader };
}

/** What one run of a CLI command does: a new store on the file, a card opened with it. */
async function run(reader: EmulatorReader, path: string, reports: Error[]): Promise<HiCOSCard> {
  return HiCOSCard.open(reader.connect(), { retryStore: new FileRetryCounterStore(path, { onError: (e) => reports.push(e) }) });
}

describe('FileRetryCounterStore that cannot write', () => {
  // A state folder under a file: mkdir fails with ENOTDIR, as with a read-only or misconfigured TWPKI_STATE_DIR.
  const path = '/dev/null/twpki/pin-retries.json';

  it('gives the card\'s answers as they are and reports each save it could not make', async () => {
    const { card, reader } = await insert();
    const reports: Error[] = [];
    const hicos = await run(reader, path, reports);
    expect(await hicos.verifyPin('654321')).toMatchObject({ status: 'wrong', retriesLeft: 2 });
    expect(await hicos.verifyPin('654322')).toMatchObject({ status: 'wrong', retriesLeft: 1 });
    // Within the process the guard holds: the third try is not sent unasked.
    await expect(hicos.verifyPin('654323')).rejects.toMatchObject({ code: 'LAST_TRY_GUARD' });
    expect(card.pinTriesLeft).toBe(1);
    expect(await hicos.verifyPin('123456', { allowLastTry: true })).toMatchObject({ status: 'ok' });
    // The folder cannot exist: said once when the store opens, then at each count it could not save.
    expect(reports[0]?.message).toMatch(/^could not read PIN try counts from \/dev\/null\/twpki\/pin-retries\.json \(ENOTDIR/);
    expect(reports.length).toBeGreaterThanOrEqual(4);
    for (const r of reports.slice(1)) expect(r.message).toMatch(/^could not save PIN try counts to \/dev\/null\/twpki\/pin-retries\.json .*within this process only$/);
  });

  it('a correct PIN still signs', async () => {
    const { reader } = await insert();
    const hicos = await run(reader, path, []);
    expect(await hicos.sign(new Uint8Array([1, 2, 3]), { pin: '123456' })).toHaveLength(256);
  });

  it('an onError that throws changes nothing', async () => {
    const { reader } = await insert();
    const store = new FileRetryCounterStore(path, {
      onError: () => {
        throw new Error('logger down');
      },
    });
    const hicos = await HiCOSCard.open(reader.connect(), { retryStore: store });
    expect(await hicos.verifyPin('654321')).toMatchObject({ status: 'wrong', retriesLeft: 2 });
    expect(store.get('TP03000012345678')).toBe(2);
  });
});

describe('FileRetryCounterStore on a file that holds no counts', () => {
  it('reports a truncated file when opened, goes on empty, and writes a sound file at the next count', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twpki-retries-'));
    const path = join(dir, 'pin-retries.json');
    writeFileSync(path, '{"TP03000012345678": 1');
    const reports: Error[] = [];
    const store = new FileRetryCounterStore(path, { onError: (e) => reports.push(e) });
    expect(reports.map((e) => e.message)).toEqual([expect.stringMatching(/pin-retries\.json is not a PIN try count file \(.*\): counts known before are not used$/)]);
    expect(store.get('TP03000012345678')).toBeUndefined();
    store.set('TP03000012345678', 2);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ TP03000012345678: 2 });
    expect(new FileRetryCounterStore(path, { onError: (e) => reports.push(e) }).get('TP03000012345678')).toBe(2);
    expect(reports).toHaveLength(1);
  });

  it('reports a file that is JSON but not an object, and says nothing of a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twpki-retries-'));
    const reports: Error[] = [];
    new FileRetryCounterStore(join(dir, 'none.json'), { onError: (e) => reports.push(e) });
    expect(reports).toEqual([]);
    writeFileSync(join(dir, 'array.json'), '[1, 2]');
    new FileRetryCounterStore(join(dir, 'array.json'), { onError: (e) => reports.push(e) });
    expect(reports.map((e) => e.message)).toEqual([expect.stringMatching(/array\.json is not a PIN try count file \(not a JSON object\)/)]);
  });
});

/** The transport with every VERIFY lost in transit (the reader pulled as the command goes out). */
function verifyLost(t: Transport): Transport {
  return new Proxy(t, {
    get(target, prop, receiver) {
      if (prop === 'transmit') {
        return (c: { ins: number } | Uint8Array, o?: unknown) => {
          const ins = c instanceof Uint8Array ? c[1] : c.ins;
          if (ins === 0x20) return Promise.reject(new Error('the reader went away'));
          return (target.transmit as (...a: unknown[]) => unknown)(c, o);
        };
      }
      if (prop === 'transaction') return <T>(fn: (tx: Transport) => Promise<T>) => target.transaction((tx) => fn(verifyLost(tx)));
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

describe('FileRetryCounterStore shared by a long-running process and the CLI', () => {
  it('a store opened first (twpki agent) sees what another process (verify-pin) saved later', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'twpki-retries-')), 'pin-retries.json');
    const agent = new FileRetryCounterStore(path);
    agent.set('TP03000012345678', 3);
    const cli = new FileRetryCounterStore(path);
    cli.set('TP03000012345678', 2);
    cli.set('TP03000012345678', 1);
    expect(agent.get('TP03000012345678')).toBe(1);
  });

  it("a try lost in transit is stepped down from the saved count, not from the agent's older one", async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'twpki-retries-')), 'pin-retries.json');
    const { card, reader } = await insert();
    const agentStore = new FileRetryCounterStore(path);
    // A page's right PIN through the agent: 3.
    expect((await (await HiCOSCard.open(reader.connect(), { retryStore: agentStore })).verifyPin('123456')).status).toBe('ok');
    // Two mistyped `twpki verify-pin` runs: 1 left, saved.
    for (let i = 0; i < 2; i++) await (await HiCOSCard.open(reader.connect(), { retryStore: new FileRetryCounterStore(path) })).verifyPin('654321');
    expect(card.pinTriesLeft).toBe(1);
    // A page's VERIFY through the agent (which sends the last try, as the official component does) is lost.
    const agentAgain = await HiCOSCard.open(verifyLost(reader.connect()), { retryStore: agentStore });
    await expect(agentAgain.verifyPin('000000', { allowLastTry: true })).rejects.toThrow();
    expect(new FileRetryCounterStore(path).get('TP03000012345678')).toBe(1);
    // The next mistyped `twpki verify-pin` is stopped by the guard, and the card keeps its last try.
    const next = await HiCOSCard.open(reader.connect(), { retryStore: new FileRetryCounterStore(path) });
    await expect(next.verifyPin('654321')).rejects.toMatchObject({ code: 'LAST_TRY_GUARD' });
    expect(card.pinTriesLeft).toBe(1);
  });

  it("a count this process could not save is not given up to the file's higher, older one", () => {
    const path = join(mkdtempSync(join(tmpdir(), 'twpki-retries-')), 'pin-retries.json');
    writeFileSync(path, '{"TP03000012345678":2}\n');
    const agent = new FileRetryCounterStore(path, { onError: () => undefined });
    // A directory where this process writes its new copy: the save fails, as under a lock held too long.
    const blocker = `${path}.${process.pid}.tmp`;
    mkdirSync(blocker);
    agent.set('TP03000012345678', 1);
    // Another process saves another card, carrying the card's older count.
    writeFileSync(path, '{"TP03000012345678":2,"TP03000087654321":3}\n');
    expect(agent.get('TP03000012345678')).toBe(1);
    expect(agent.get('TP03000087654321')).toBe(3);
    // Once a save of the card succeeds, the file's later counts are taken in as they are.
    rmdirSync(blocker);
    agent.set('TP03000012345678', 1);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ TP03000012345678: 1, TP03000087654321: 3 });
    writeFileSync(path, '{"TP03000012345678":3,"TP03000087654321":3}\n');
    expect(agent.get('TP03000012345678')).toBe(3);
  });

  it('keeps any key a card can give: `__proto__` (a printable card number) and a 76-character certificate key', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'twpki-retries-')), 'pin-retries.json');
    const key = `cert-sha256:${'ab'.repeat(32)}`;
    const store = new FileRetryCounterStore(path);
    store.set('__proto__', 1);
    store.set(key, 2);
    // What the next process reads back from the file.
    const next = new FileRetryCounterStore(path);
    expect([next.get('__proto__'), next.get(key)]).toEqual([1, 2]);
    next.set('TP03000012345678', 3);
    expect(new FileRetryCounterStore(path).get('__proto__')).toBe(1);
  });
});
