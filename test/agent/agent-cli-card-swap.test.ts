/**
 * `twpki agent` refuses a swapped card's `/sign` by default (startAgent's `refuseSwappedCard`), and
 * `--allow-card-swap` turns it off. In-process: the card source and startAgent are stand-ins that record what the
 * command passes (a swap cannot be made in the child process `--virtual` runs; swapped-card.test.ts tests the
 * check itself).
 */
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AgentOptions, CardSlots } from '../../src/agent/index.js';

const started: AgentOptions[] = [];
/** Thrown by the stand-in startAgent so that the command ends (it otherwise runs until a signal). */
class Started extends Error {}

vi.mock('../../src/agent/index.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/agent/index.js')>();
  const slots: CardSlots = { list: () => Promise.resolve([]), withCard: () => Promise.reject(new Error('no card')), close: () => Promise.resolve() };
  return {
    ...original,
    PcscCardSlots: { open: () => Promise.resolve(slots) },
    startAgent: (options: AgentOptions) => {
      started.push(options);
      return Promise.reject(new Started('started'));
    },
  };
});

const { agentCommand } = await import('../../src/cli/commands/agent.js');

async function optionsFor(args: string[]): Promise<AgentOptions | undefined> {
  const io = { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: { ...process.env, TWPKI_STATE_DIR: '/nonexistent-twpki-test' } };
  await expect(agentCommand.run(['--port', '0', ...args], io)).rejects.toBeInstanceOf(Started);
  return started.pop();
}

afterEach(() => {
  started.length = 0;
});

describe('twpki agent and a card swapped after the page read it', () => {
  it('refuses it by default', async () => {
    expect((await optionsFor([]))?.refuseSwappedCard).toBe(true);
  });

  it('lets it through with --allow-card-swap', async () => {
    expect((await optionsFor(['--allow-card-swap']))?.refuseSwappedCard).toBe(false);
  });

  it('names the option in its usage', () => {
    expect(agentCommand.usage).toContain('--allow-card-swap');
  });
});
