/**
 * `twpki agent` over the machine's pcscd in a child process, called as a page calls it. With a card that goes
 * silent, an agent that blocked its thread shows as a request timing out here instead of a stuck test worker.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CardSlotsOptions, Pkcs11Info, SignResponse } from '../../src/agent/index.js';
import { VIRTUAL_READER } from '../support/pcsc-rig.js';

const agentEntry = fileURLToPath(new URL('../../src/agent/index.ts', import.meta.url));

/** The child: an agent over pcscd on a free port, which it prints; its card slots made with `slotsOptions`. */
const childScript = (slotsOptions: CardSlotsOptions): string => `
const { PcscCardSlots, startAgent } = await import(${JSON.stringify(agentEntry)});
const slots = await PcscCardSlots.open({}, {}, ${JSON.stringify(slotsOptions)});
const agent = await startAgent({ slots, port: 0 });
console.log(String(agent.port));
`;

/** A running child agent. */
export interface ChildAgent {
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
  /** `/pkcs11info`: the document, the virtual reader's token and how long it took. */
  info(): Promise<{ doc: Pkcs11Info; token: unknown; ms: number }>;
  /** `/sign` of a PKCS#1 signature on the virtual reader with `pin`, and how long it took. */
  sign(pin: string): Promise<{ answer: SignResponse; ms: number }>;
  /** Polls `/pkcs11info` (up to 10 s) until the virtual reader shows the card numbered `cardNumber`. */
  waitForCard(cardNumber: string): Promise<void>;
  /** Stops the child and waits for it to exit. */
  stop(): Promise<void>;
}

/** The card number of a `/pkcs11info` token, or the token itself when it is not an object (`null`, "unknown token"). */
export function tokenSerial(token: unknown): unknown {
  return token !== null && typeof token === 'object' ? (token as { serialNumber?: string }).serialNumber : token;
}

/**
 * Starts an agent in a child process, its card slots made with `slotsOptions` (the walks through a silent card give
 * a short `commandTimeoutMs`); it is stopped again if it does not start.
 */
export async function startChildAgent(slotsOptions: CardSlotsOptions = {}): Promise<ChildAgent> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', childScript(slotsOptions)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
  };
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (c: Buffer) => resolve(Number(c.toString().trim())));
      child.once('exit', () => reject(new Error(`the agent did not start: ${stderr}`)));
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const base = `http://127.0.0.1:${port}`;
  const info = async (): Promise<{ doc: Pkcs11Info; token: unknown; ms: number }> => {
    const started = Date.now();
    const doc = (await (await fetch(`${base}/pkcs11info`, { signal: AbortSignal.timeout(15_000) })).json()) as Pkcs11Info;
    return { doc, token: doc.slots.find((s) => s.slotDescription === VIRTUAL_READER)?.token, ms: Date.now() - started };
  };
  const sign = async (pin: string): Promise<{ answer: SignResponse; ms: number }> => {
    const body = `tbsPackage=${JSON.stringify({ tbs: 'walk', pin, signatureType: 'PKCS1', withCardSN: 'true', slotDescription: VIRTUAL_READER })}`;
    const started = Date.now();
    // The agent's per-APDU timeout is 10 s: the page must hear back soon after it.
    const answer = (await (await fetch(`${base}/sign`, { method: 'POST', body, signal: AbortSignal.timeout(16_000) })).json()) as SignResponse;
    return { answer, ms: Date.now() - started };
  };
  const waitForCard = async (cardNumber: string): Promise<void> => {
    const until = Date.now() + 10_000;
    while (tokenSerial((await info()).token) !== cardNumber && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  };
  return { base, info, sign, waitForCard, stop };
}
