/**
 * `twpki agent --after-pin reset|leave` and `--command-timeout MS` reach the card source (PcscCardSlots.open's third
 * argument): a Gen1 card is reset after a /sign by default, and `leave` keeps the old behaviour. In-process, with stand-ins recording what
 * the command passes; sign-ends-verified-state.test.ts tests the reset itself.
 */
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AgentOptions, CardSlots, CardSlotsOptions } from '../../src/agent/index.js';

const opened: (CardSlotsOptions | undefined)[] = [];
/** Thrown by the stand-in startAgent so that the command ends (it otherwise runs until a signal). */
class Started extends Error {}

vi.mock('../../src/agent/index.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/agent/index.js')>();
  const slots: CardSlots = { list: () => Promise.resolve([]), withCard: () => Promise.reject(new Error('no card')), close: () => Promise.resolve() };
  return {
    ...original,
    PcscCardSlots: {
      open: (_card: unknown, _context: unknown, options?: CardSlotsOptions) => {
        opened.push(options);
        return Promise.resolve(slots);
      },
    },
    startAgent: (_options: AgentOptions) => Promise.reject(new Started('started')),
  };
});

const { agentCommand } = await import('../../src/cli/commands/agent.js');

function io(): { stdout: PassThrough; stderr: PassThrough; stdin: PassThrough; env: NodeJS.ProcessEnv } {
  return { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: { ...process.env, TWPKI_STATE_DIR: '/nonexistent-twpki-test' } };
}

afterEach(() => {
  opened.length = 0;
});

describe('twpki agent --after-pin', () => {
  it('resets a Gen1 card after a /sign by default, and passes leave through', async () => {
    await expect(agentCommand.run(['--port', '0'], io())).rejects.toBeInstanceOf(Started);
    await expect(agentCommand.run(['--port', '0', '--after-pin', 'leave'], io())).rejects.toBeInstanceOf(Started);
    await expect(agentCommand.run(['--port', '0', '--after-pin', 'reset'], io())).rejects.toBeInstanceOf(Started);
    expect(opened).toEqual([{ afterPin: 'reset' }, { afterPin: 'leave' }, { afterPin: 'reset' }]);
  });

  it('refuses another value before any card source is opened, without repeating it', async () => {
    const error = await agentCommand.run(['--port', '0', '--after-pin', '48151623'], io()).catch((e: unknown) => e);
    expect(error).toMatchObject({ message: '--after-pin must be reset or leave' });
    expect(opened).toEqual([]);
  });

  it('names the option in its usage', () => {
    expect(agentCommand.usage).toContain('--after-pin reset|leave');
  });
});

describe('twpki agent --command-timeout', () => {
  it('passes the milliseconds to the card source, and leaves the default when not given', async () => {
    await expect(agentCommand.run(['--port', '0', '--command-timeout', '2500'], io())).rejects.toBeInstanceOf(Started);
    await expect(agentCommand.run(['--port', '0'], io())).rejects.toBeInstanceOf(Started);
    expect(opened[0]).toMatchObject({ commandTimeoutMs: 2500 });
    expect(opened[1]?.commandTimeoutMs).toBeUndefined();
  });

  it.each(['0', '-5', '1.5', '1e4', 'ten', '', '600001', '48151623'])('refuses %j before any card source is opened, without repeating it', async (value) => {
    const error = await agentCommand.run(['--port', '0', `--command-timeout=${value}`], io()).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'UsageError', message: '--command-timeout must be a whole number of milliseconds from 1 to 600000' });
    expect(opened).toEqual([]);
  });
});
