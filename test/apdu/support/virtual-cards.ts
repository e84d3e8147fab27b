import { createPrivateKey } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmulatorReader, type EmulatorSession } from '../../../src/pcsc/emulator-reader.js';
import { createTestPki } from '../../../src/testing/pki/index.js';
import { VirtualHiCOSCard } from '../../../src/testing/hicos/virtual-hicos-card.js';
import { virtualCardCredentials } from '../../../src/testing/hicos/card-credentials.js';
import type { VirtualCardCredentials, VirtualHiCOSCardOptions } from '../../../src/testing/hicos/virtual-card-options.js';

let credentials: Promise<VirtualCardCredentials> | undefined;

interface Cached {
  sign: [cert: string, key: string];
  keyx: [cert: string, key: string];
  ca: string[];
}

// Test files run in separate workers of one vitest process: share one set of
// generated keys per run (the parent's pid) instead of one test PKI per file.
const cachePath = join(tmpdir(), `twpki-hicos-test-credentials-${process.ppid}.json`);

function load(): VirtualCardCredentials | undefined {
  try {
    const c = JSON.parse(readFileSync(cachePath, 'utf8')) as Cached;
    const pair = ([cert, key]: [string, string]) => ({
      certificate: new Uint8Array(Buffer.from(cert, 'base64')),
      privateKey: createPrivateKey({ key: Buffer.from(key, 'base64'), format: 'der', type: 'pkcs8' }),
    });
    return { sign: pair(c.sign), keyx: pair(c.keyx), caCertificates: c.ca.map((d) => new Uint8Array(Buffer.from(d, 'base64'))) };
  } catch {
    return undefined;
  }
}

async function generate(): Promise<VirtualCardCredentials> {
  const pki = await createTestPki({ authorities: ['moica'] });
  const holder = await pki.issueCardHolder({ authority: 'moica' });
  const creds = virtualCardCredentials(holder);
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  const key = (k: VirtualCardCredentials['sign']) => b64(k.privateKey.export({ format: 'der', type: 'pkcs8' }));
  const cached: Cached = {
    sign: [b64(creds.sign.certificate), key(creds.sign)],
    keyx: [b64(creds.keyx.certificate), key(creds.keyx)],
    ca: creds.caCertificates!.map(b64),
  };
  const temporary = `${cachePath}.${process.pid}`;
  writeFileSync(temporary, JSON.stringify(cached), { mode: 0o600 });
  renameSync(temporary, cachePath);
  return creds;
}

/** MOICA-like card-holder credentials from the test PKI, generated once per test run. */
export function testCredentials(): Promise<VirtualCardCredentials> {
  credentials ??= Promise.resolve(load() ?? generate());
  return credentials;
}

/** A virtual card in an in-process reader, with a session open to it. */
export interface InsertedCard {
  card: VirtualHiCOSCard;
  reader: EmulatorReader;
  transport: EmulatorSession;
}

/** Builds a virtual card with the shared credentials and connects to it in-process. */
export async function insertVirtualCard(options: Omit<VirtualHiCOSCardOptions, 'credentials'> = {}): Promise<InsertedCard> {
  const card = new VirtualHiCOSCard({ ...options, credentials: await testCredentials() });
  const reader = new EmulatorReader();
  reader.insert(card);
  return { card, reader, transport: reader.connect() };
}

/**
 * Plain (non-SM) commands the host sent while it had an SCP03 session open
 * or half-open: from an INITIALIZE UPDATE to the next SELECT by AID. GET
 * RESPONSE is the transport's and does not count. Empty when the host never
 * depends on what the applet does with such a command.
 */
export function plainCommandsDuringSession(log: readonly { command: Uint8Array }[]): string[] {
  let open = false;
  const offending: string[] = [];
  for (const { command } of log) {
    const [cla = 0, ins = 0, p1 = 0] = command;
    if (ins === 0xa4 && p1 === 0x04) open = false;
    else if (ins === 0xc0) continue;
    else if (open && (cla & 0x04) === 0) offending.push(Buffer.from(command.subarray(0, 4)).toString('hex'));
    if (ins === 0x50) open = true;
  }
  return offending;
}
