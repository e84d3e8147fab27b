/**
 * The agent's sockets as a desktop browser and local programs leave them over days: requests that never finish
 * sending (headers or body), keep-alive connections left open, many connections at once. None may pin a socket
 * (and a handler waiting on its body) for long; a card operation that outlasts the receive limit still answers.
 * No card is involved: the slots are a stub.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent, type AgentServer, type CardSlots } from '../../src/agent/index.js';

const agents: AgentServer[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.close();
});

/** Slots with no reader; `list` takes `delayMs` (a slow pcscd or card). */
function stubSlots(delayMs = 0): CardSlots {
  return {
    list: () => new Promise((resolve) => setTimeout(() => resolve([]), delayMs)),
    withCard: () => Promise.reject(new Error('no card')),
    close: () => Promise.resolve(),
  };
}

interface Outcome {
  /** Whether the agent closed the connection before the client gave up. */
  closedByAgent: boolean;
  /** The status line the agent sent, if any. */
  status: string;
}

/** Writes `payload` and waits (at most `waitMs`) for the agent to close the connection. */
function rawRequest(port: number, payload: string, waitMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    let settled = false;
    const settle = (closedByAgent: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ closedByAgent, status: data.split('\r\n')[0] ?? '' });
    };
    const timer = setTimeout(() => settle(false), waitMs);
    socket.on('data', (chunk) => (data += chunk.toString('latin1')));
    socket.on('close', () => settle(true));
    socket.on('error', () => undefined);
    socket.write(payload);
  });
}

describe('the agent’s sockets over a long run', () => {
  it('closes requests that never finish, idle keep-alive connections, and still answers slow card work', async () => {
    const agent = await startAgent({ slots: stubSlots(), port: 0 });
    const slow = await startAgent({ slots: stubSlots(11_000), port: 0 });
    agents.push(agent, slow);
    // Well past the agent's 10 s receive limit (and its 1 s check), far below Node's defaults (60 s, 5 minutes).
    const WAIT = 20_000;
    const [bodyNeverEnds, headersNeverEnd, nothingSent, keptAlive, slowAnswer] = await Promise.all([
      // A page opens a POST and never sends the whole body.
      rawRequest(agent.port, 'POST /sign HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\ntbsPackage=', WAIT),
      rawRequest(agent.port, 'GET /pkcs11info HTTP/1.1\r\nHost: localhost\r\n', WAIT),
      rawRequest(agent.port, '', WAIT),
      // Many connections at once, each answered and then left open.
      Promise.all(Array.from({ length: 50 }, () => rawRequest(agent.port, 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n', WAIT))),
      // Card work (here the reader listing) longer than the receive limit, once the request is in.
      fetch(`http://127.0.0.1:${slow.port}/pkcs11info`).then(async (r) => ({ status: r.status, body: (await r.json()) as { func: string } })),
    ]);
    expect(bodyNeverEnds).toEqual({ closedByAgent: true, status: 'HTTP/1.1 408 Request Timeout' });
    expect(headersNeverEnd).toEqual({ closedByAgent: true, status: 'HTTP/1.1 408 Request Timeout' });
    expect(nothingSent.closedByAgent).toBe(true);
    expect(keptAlive.filter((o) => o.closedByAgent && o.status === 'HTTP/1.1 200 OK')).toHaveLength(50);
    expect(slowAnswer).toMatchObject({ status: 200, body: { func: 'pkcs11info' } });
  }, 30_000);
});
