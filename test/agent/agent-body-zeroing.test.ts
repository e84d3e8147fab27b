/**
 * The agent zeroes every request body it read once it is done with it, a body cut off before its end too: a
 * page's `/sign` body holds the PIN. The chunks the HTTP server hands the agent are captured here (the agent runs
 * in this process) and checked after the request has settled.
 */
import { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorCardSlots, startAgent, type AgentServer } from '../../src/agent/index.js';
import { EmulatorReader } from '../../src/pcsc/index.js';

const TRUSTED = 'https://gpkiapi.example.gov.tw';
const PIN = 'Zq7Kp2Xw';
let agent: AgentServer;
const seen: Buffer[] = [];
const originalEmit = IncomingMessage.prototype.emit;

beforeAll(async () => {
  // Every body chunk a request of this process receives, as the agent's reader gets it.
  IncomingMessage.prototype.emit = function (this: IncomingMessage, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'data' && Buffer.isBuffer(args[0])) seen.push(args[0]);
    return originalEmit.call(this, event, ...args);
  } as typeof IncomingMessage.prototype.emit;
  agent = await startAgent({ slots: new EmulatorCardSlots(new EmulatorReader({ name: 'Virtual PCD 00 00' })), trusted: [TRUSTED], port: 0 });
});

afterAll(async () => {
  IncomingMessage.prototype.emit = originalEmit;
  await agent?.close();
});

const holdsPin = (chunks: readonly Buffer[]): boolean => chunks.some((c) => c.includes(PIN));

/** Sends the head of a `/sign` request and part of its body, then drops the connection. */
async function cutOff(): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = connect(agent.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
    const partial = `tbsPackage={"func":"MakeSignature","tbs":"x","pin":"${PIN}"`;
    socket.write(`POST /sign HTTP/1.1\r\nHost: localhost:${agent.port}\r\nOrigin: ${TRUSTED}\r\nContent-Type: text/plain\r\nContent-Length: 4000\r\n\r\n${partial}`, (error) => {
      if (error) reject(error);
      // Once the server has the part, the client goes away.
      setTimeout(() => socket.destroy(), 200);
    });
  });
}

describe('request bodies are zeroed', () => {
  it('a complete /sign body, once answered', async () => {
    seen.length = 0;
    const body = `tbsPackage=${JSON.stringify({ func: 'MakeSignature', signatureType: 'PKCS1', tbs: 'x', pin: PIN })}`;
    await (await fetch(`http://127.0.0.1:${agent.port}/sign`, { method: 'POST', body, headers: { Origin: TRUSTED, 'Content-Type': 'text/plain' } })).text();
    expect(seen.length).toBeGreaterThan(0);
    expect(holdsPin(seen)).toBe(false);
  });

  it('a /sign body the client cut off', async () => {
    seen.length = 0;
    await cutOff();
    await expect.poll(() => seen.length, { timeout: 5_000 }).toBeGreaterThan(0);
    await expect.poll(() => holdsPin(seen), { timeout: 5_000 }).toBe(false);
  });
});
