/**
 * `twpki agent` and a page's `/addDomain` (src/cli/domain-questions.ts), the CLI run as a child process with
 * `--virtual`, called through real HTTP as a popup calls it. The child gives main() a stdin and a stderr that say
 * whether they are a terminal (`isTTY`), fed from and to its pipes, so the test types the answers.
 * - default: refused, with the page told how the operator trusts the site and one line in the log;
 * - `--ask-trust`: y trusts, anything else or no answer refuses, one question at a time, a line typed between
 *   questions answers none; the prompt names the entry and the page that asked;
 * - `--ask-trust` without a terminal is a usage error.
 * After each answer, `/pkcs11info` from the page's origin is trusted, or refused 0x76000031.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetCode, type Pkcs11Info } from '../../src/agent/index.js';
import { ANSWER_GRACE_MS } from '../../src/cli/domain-questions.js';
import { runCli } from '../cli/run-cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The child: main() with streams that are a terminal when `terminal` says so. */
const childScript = (args: string[], terminal: boolean): string => `
import { PassThrough } from 'node:stream';
import { main } from './src/cli/main.ts';
const stdin = new PassThrough();
const stderr = new PassThrough();
if (${terminal}) { stdin.isTTY = true; stderr.isTTY = true; }
process.stdin.pipe(stdin);
stderr.pipe(process.stderr);
const code = await main(${JSON.stringify(args)}, { stdin, stdout: process.stdout, stderr, env: process.env });
process.exit(code);
`;

/** The string the popup posts to its opener: `{"ret_code":N}`, as it appears in the page's script. */
const posted = (retCode: number): string => JSON.stringify(JSON.stringify({ ret_code: retCode }));

/** Headers a browser sends when a page of `origin` opens `/addDomain` as a popup. */
const popupFrom = (origin: string): Record<string, string> => ({ Referer: `${origin}/login`, 'Sec-Fetch-Dest': 'document', 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Site': 'cross-site' });

class CliAgent {
  private err = '';
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    public readonly port: number,
  ) {
    child.stderr.on('data', (c: Buffer) => (this.err += c.toString()));
  }

  public static async start(args: string[], terminal: boolean): Promise<CliAgent> {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', childScript(['agent', '--virtual', '--port', '0', '--json', ...args], terminal)], { cwd: ROOT });
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (!out.trimEnd().endsWith('}')) return;
        // A usage error is a JSON document too (`--json`): one without a port did not start.
        const { port } = JSON.parse(out) as { port?: unknown };
        if (typeof port === 'number') resolve(port);
        else reject(new Error(`the agent did not start: ${out} ${err}`));
      });
      child.once('exit', (code) => reject(new Error(`the agent exited with ${code}: ${err}`)));
    });
    const agent = new CliAgent(child, port);
    agent.err = err;
    return agent;
  }

  /** Everything written to stderr so far. */
  public get stderr(): string {
    return this.err;
  }

  /** Waits (up to 10 s) until stderr past `from` holds `text`; returns that part of stderr. */
  public async waitForStderr(text: string, from: number): Promise<string> {
    const until = Date.now() + 10_000;
    while (!this.err.slice(from).includes(text)) {
      if (Date.now() > until) throw new Error(`no ${JSON.stringify(text)} on stderr: ${this.err.slice(from)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.err.slice(from);
  }

  /** Types a line at the terminal. */
  public type(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  public async addDomain(domain: string, headers: Record<string, string>): Promise<string> {
    return (await fetch(`http://127.0.0.1:${this.port}/addDomain?domain=${encodeURIComponent(domain)}`, { headers })).text();
  }

  /**
   * `/addDomain` from a popup, and the question it raised on the terminal (the stderr written since); returned once
   * a line typed would be taken as its answer (a second after it was shown), unless `answerable` is false.
   */
  public async ask(domain: string, origin: string, answerable = true): Promise<{ reply: Promise<string>; question: string }> {
    const from = this.err.length;
    const reply = this.addDomain(domain, popupFrom(origin));
    const question = await this.waitForStderr('[y/N]', from);
    if (answerable) await new Promise((r) => setTimeout(r, ANSWER_GRACE_MS + 100));
    return { reply, question };
  }

  public async infoRetCode(origin: string): Promise<number> {
    return ((await (await fetch(`http://127.0.0.1:${this.port}/pkcs11info`, { headers: { Origin: origin } })).json()) as Pkcs11Info).ret_code;
  }

  /** SIGTERM, as Ctrl-C; the exit status. */
  public async stop(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.child.kill('SIGTERM');
    return exited;
  }
}

/** Whether `promise` has settled after a short wait. */
async function settledSoon(promise: Promise<unknown>, ms = 300): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((r) => setTimeout(r, ms));
  return settled;
}

describe('twpki agent without --ask-trust: /addDomain refused, and the way to trust the site said', () => {
  it.each([
    ['a service (no terminal)', false],
    ['at a terminal (asking is opt-in)', true],
  ])('%s', async (_, terminal) => {
    const agent = await CliAgent.start([], terminal);
    try {
      const from = agent.stderr.length;
      const page = await agent.addDomain('Gov.Example', popupFrom('https://gov.example'));
      expect(page).toContain(posted(RetCode.UNTRUSTED_DOMAIN));
      expect(page).toContain('gov.example was not trusted');
      expect(page).toContain('twpki agent --trust gov.example');
      // One line in the log naming the site, the page that asked and what to do; no question. (Waited for: stderr
      // comes through a pipe of its own, which may arrive after the page.)
      expect(await agent.waitForStderr('\n', from)).toBe('twpki agent: /addDomain refused gov.example (asked by https://gov.example): to trust it, restart the agent with --trust gov.example\n');
      expect(await agent.infoRetCode('https://gov.example')).toBe(RetCode.UNTRUSTED_DOMAIN);
    } finally {
      expect(await agent.stop()).toBe(0);
    }
  }, 60_000);
});

describe('twpki agent --ask-trust at a terminal', () => {
  let agent: CliAgent;
  beforeAll(async () => {
    agent = await CliAgent.start(['--ask-trust'], true);
  }, 60_000);
  afterAll(async () => {
    expect(await agent?.stop()).toBe(0);
  });

  it('y trusts the entry the question names, for the page that asked', async () => {
    const { reply, question } = await agent.ask('Gov.Example', 'https://gov.example');
    expect(question).toContain('  asked by  https://gov.example\n');
    expect(question).toContain('  to trust  gov.example: every page of this host, on any port, over http or https\n');
    expect(question).toContain('Trust gov.example? [y/N] (60 s) ');
    expect(question).not.toContain('NOTE');
    // Nothing is trusted while the question is open.
    expect(await agent.infoRetCode('https://gov.example')).toBe(RetCode.UNTRUSTED_DOMAIN);
    const from = agent.stderr.length;
    agent.type('y');
    const page = await reply;
    expect(await agent.waitForStderr('\n', from)).toBe('gov.example trusted until the agent stops\n');
    expect(page).toContain(posted(0));
    expect(page).toContain('trusted: gov.example');
    expect(await agent.infoRetCode('https://gov.example')).toBe(0);
    expect(await agent.infoRetCode('https://gov.example:8443')).toBe(0);
  });

  it.each([
    ['n', 'no.example'],
    ['', 'empty.example'],
    ['sure', 'sure.example'],
  ])('%j refuses (the default is no)', async (answer, domain) => {
    const { reply } = await agent.ask(domain, `https://${domain}`);
    agent.type(answer);
    const page = await reply;
    expect(page).toContain(posted(RetCode.UNTRUSTED_DOMAIN));
    expect(page).toContain(`${domain} was not trusted`);
    expect(await agent.infoRetCode(`https://${domain}`)).toBe(RetCode.UNTRUSTED_DOMAIN);
  });

  it('a host:port entry: the question says which port, and only that port is trusted', async () => {
    const { reply, question } = await agent.ask('port.example:8443', 'https://port.example:8443');
    expect(question).toContain('  to trust  port.example:8443: the pages of this host on port 8443 only, over http or https\n');
    agent.type('yes');
    expect(await reply).toContain(posted(0));
    expect(await agent.infoRetCode('https://port.example:8443')).toBe(0);
    expect(await agent.infoRetCode('https://port.example')).toBe(RetCode.UNTRUSTED_DOMAIN);
  });

  it('says when the page asking is not on the site it asks for, or did not say where it is', async () => {
    const other = await agent.ask('bank.example', 'https://evil.example');
    expect(other.question).toContain('  asked by  https://evil.example\n');
    expect(other.question).toContain('  NOTE      the page asking is not on that site');
    agent.type('n');
    expect(await other.reply).toContain(posted(RetCode.UNTRUSTED_DOMAIN));

    const from = agent.stderr.length;
    const reply = agent.addDomain('nobody.example', { 'Sec-Fetch-Dest': 'document' });
    expect(await agent.waitForStderr('[y/N]', from)).toContain('  asked by  not said (the browser sent neither Origin nor Referer)\n');
    await new Promise((r) => setTimeout(r, ANSWER_GRACE_MS + 100));
    agent.type('n');
    expect(await reply).toContain(posted(RetCode.UNTRUSTED_DOMAIN));
  });

  it('a line typed while no question is open answers none', async () => {
    agent.type('y');
    await new Promise((r) => setTimeout(r, 200));
    const { reply } = await agent.ask('ahead.example', 'https://ahead.example');
    expect(await settledSoon(reply)).toBe(false);
    expect(await agent.infoRetCode('https://ahead.example')).toBe(RetCode.UNTRUSTED_DOMAIN);
    agent.type('n');
    expect(await reply).toContain(posted(RetCode.UNTRUSTED_DOMAIN));
    expect(await agent.infoRetCode('https://ahead.example')).toBe(RetCode.UNTRUSTED_DOMAIN);
  });

  it('one question at a time: a second request is refused at once, and the first is still answered', async () => {
    const first = await agent.ask('first.example', 'https://first.example');
    const from = agent.stderr.length;
    const second = await agent.addDomain('second.example', popupFrom('https://second.example'));
    expect(second).toContain(posted(RetCode.UNTRUSTED_DOMAIN));
    // As the page shows it: its text is HTML-escaped.
    expect(second).toContain('another site&#39;s request is being asked on the agent&#39;s terminal');
    expect(await agent.waitForStderr('\n', from)).toBe('twpki agent: /addDomain refused second.example (asked by https://second.example): another question is open\n');
    agent.type('y');
    expect(await first.reply).toContain(posted(0));
    expect(await agent.infoRetCode('https://first.example')).toBe(0);
    expect(await agent.infoRetCode('https://second.example')).toBe(RetCode.UNTRUSTED_DOMAIN);
  });
});

describe('twpki agent --ask-trust: a question nobody answers', () => {
  it('is refused after --ask-timeout, and a late y trusts nothing', async () => {
    const agent = await CliAgent.start(['--ask-trust', '--ask-timeout', '1'], true);
    try {
      const { reply, question } = await agent.ask('slow.example', 'https://slow.example');
      expect(question).toContain('Trust slow.example? [y/N] (1 s) ');
      const page = await reply;
      expect(page).toContain(posted(RetCode.UNTRUSTED_DOMAIN));
      expect(page).toContain('no answer on the agent&#39;s terminal within 1 s: slow.example was not trusted');
      await agent.waitForStderr('no answer in 1 s: slow.example not trusted\n', 0);
      agent.type('y');
      await new Promise((r) => setTimeout(r, 200));
      expect(await agent.infoRetCode('https://slow.example')).toBe(RetCode.UNTRUSTED_DOMAIN);
    } finally {
      expect(await agent.stop()).toBe(0);
    }
  }, 60_000);

  it('a y typed just after the timeout does not answer the question a page opens at once after it', async () => {
    // A page holding a popup can navigate it to /addDomain again and again, with no click: the moment a question
    // ends, its next one opens, and a y meant for the question that just timed out would trust that page's site.
    const agent = await CliAgent.start(['--ask-trust', '--ask-timeout', '3'], true);
    try {
      const first = await agent.ask('slow.example', 'https://slow.example', false);
      expect(await first.reply).toContain(posted(RetCode.UNTRUSTED_DOMAIN));
      const next = await agent.ask('evil.example', 'https://evil.example', false);
      const from = agent.stderr.length;
      agent.type('y');
      expect(await agent.waitForStderr('is not its answer', from)).toContain('Trust evil.example? [y/N]');
      expect(await settledSoon(next.reply)).toBe(false);
      expect(await agent.infoRetCode('https://evil.example')).toBe(RetCode.UNTRUSTED_DOMAIN);
      // Answered once the grace is over, as usual.
      await new Promise((r) => setTimeout(r, ANSWER_GRACE_MS));
      agent.type('n');
      expect(await next.reply).toContain(posted(RetCode.UNTRUSTED_DOMAIN));
      expect(await agent.infoRetCode('https://evil.example')).toBe(RetCode.UNTRUSTED_DOMAIN);
    } finally {
      expect(await agent.stop()).toBe(0);
    }
  }, 60_000);

  it('is refused when the agent is stopped, and the page is told', async () => {
    const agent = await CliAgent.start(['--ask-trust'], true);
    const { reply } = await agent.ask('stopping.example', 'https://stopping.example');
    expect(await agent.stop()).toBe(0);
    const page = await reply;
    expect(page).toContain(posted(RetCode.UNTRUSTED_DOMAIN));
    expect(page).toContain('the agent stopped before an answer: stopping.example was not trusted');
  }, 60_000);
});

describe('twpki agent --ask-trust: usage', () => {
  it('without a terminal is a usage error that says how a service trusts a site', async () => {
    const run = await runCli(['agent', '--ask-trust', '--port', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--ask-trust needs a terminal on stdin and stderr to ask on; a service trusts sites with --trust ORIGIN_OR_HOST');
  });

  it('--ask-timeout: only with --ask-trust, and whole seconds from 1 to 600, the value not repeated', async () => {
    const alone = await runCli(['agent', '--ask-timeout', '30', '--port', '0']);
    expect([alone.code, alone.stderr]).toEqual([2, expect.stringContaining('--ask-timeout is the time to answer an --ask-trust question: give --ask-trust too')]);
    for (const value of ['0', '601', '1.5', '48151623']) {
      const run = await runCli(['agent', '--ask-trust', '--ask-timeout', value, '--port', '0']);
      expect(run.code, value).toBe(2);
      expect(run.stderr, value).toContain('--ask-timeout must be a whole number of seconds from 1 to 600');
      expect(run.stderr, value).not.toContain('48151623');
    }
  });
});
