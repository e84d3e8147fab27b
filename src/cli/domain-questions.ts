import { TrustedOrigins, type DomainDecision, type DomainRequest } from '../agent/index.js';
import type { CliIo } from './command.js';

/**
 * How `twpki agent` decides pages' `/addDomain` requests (`startAgent({ confirmDomain })`): refused with a hint
 * (the default), or asked on the agent's terminal (`--ask-trust`).
 */
export interface DomainQuestions {
  readonly confirm: (domain: string, request: DomainRequest) => Promise<DomainDecision>;
  /** Refuses an open question and stops reading the terminal: the agent is stopping. */
  close(): void;
}

type MaybeTty = { isTTY?: boolean };

/** Whether stdin and stderr are a terminal, where `--ask-trust` asks and reads the answer. */
export function hasTerminal(io: CliIo): boolean {
  return (io.stdin as MaybeTty).isTTY === true && (io.stderr as MaybeTty).isTTY === true;
}

/**
 * Every request refused: the page is told how the operator trusts the site, and the agent's log (stderr) gets one
 * line naming it, so the operator of a service sees what a user was stuck on.
 */
export function refuseDomains(io: CliIo): DomainQuestions {
  return {
    confirm(_domain, request) {
      log(io, `/addDomain refused ${request.entry} (${askerText(request.askedBy)}): to trust it, restart the agent with --trust ${request.entry}`);
      return Promise.resolve({
        refused:
          `${request.entry} was not trusted: this agent trusts only the sites its operator names. The operator trusts it by ` +
          `starting the agent as twpki agent --trust ${request.entry} (or with --ask-trust, to be asked on its terminal).`,
      });
    },
    close() {},
  };
}

/**
 * How long after a question is shown a line is not taken as its answer (ms). Nobody reads the question and answers
 * it that fast; a line arriving then was typed for something else: an answer to a question that has just timed
 * out (a page that keeps asking opens the next one at once, and would get the late `y`), or text typed as the
 * question appeared.
 */
export const ANSWER_GRACE_MS = 1000;

/** An open question: how to end it. */
interface OpenQuestion {
  readonly entry: string;
  /** When the question was shown (`performance.now()`). */
  readonly shownAt: number;
  answer(decision: DomainDecision, logged: string): void;
}

/**
 * Asks on the terminal, one question at a time: a request that arrives while one is open is refused at once, not
 * queued (a page could otherwise stack questions for the user to click through). The answer is a line: `y` or
 * `yes` trusts, anything else refuses, as does no answer within `timeoutMs` (the page waits in its popup). Lines
 * typed while no question is open are dropped, never taken as the next one's answer, so stdin is read for as long
 * as the agent runs; so are lines arriving within `graceMs` of a question being shown (at most half of `timeoutMs`,
 * so a short timeout can still be answered), which the user is told to type again. The agent prompts for nothing else (PINs are typed into pages), so nothing competes for it.
 */
export function askDomainsOnTerminal(io: CliIo, timeoutMs: number, graceMs = ANSWER_GRACE_MS): DomainQuestions {
  const grace = Math.min(graceMs, timeoutMs / 2);
  let open: OpenQuestion | undefined;
  let typed = '';
  let ended = false;
  const onData = (chunk: Buffer | string): void => {
    if (open === undefined) return;
    typed += String(chunk);
    const end = typed.search(/[\r\n]/);
    if (end < 0) {
      // A line longer than any answer is no answer: kept short so a paste cannot grow it.
      typed = typed.slice(-64);
      return;
    }
    if (performance.now() - open.shownAt < grace) {
      // Every whole line so far came too soon to answer this question: dropped, and the user told to answer again.
      typed = typed.slice(typed.search(/[^\r\n]*$/));
      io.stderr.write(`(a line typed as the question appeared is not its answer) Trust ${printable(open.entry)}? [y/N] `);
      return;
    }
    const yes = /^y(es)?$/i.test(typed.slice(0, end).trim());
    open.answer(yes, yes ? `${open.entry} trusted until the agent stops` : `${open.entry} not trusted`);
  };
  const onEnd = (): void => {
    ended = true;
    open?.answer({ refused: `the agent's terminal closed before an answer: ${open.entry} was not trusted` }, `terminal closed: ${open.entry} not trusted`);
  };
  io.stdin.on('data', onData);
  io.stdin.on('end', onEnd);
  io.stdin.on('error', onEnd);
  return {
    confirm(_domain, request) {
      const { entry, askedBy } = request;
      if (ended) {
        log(io, `/addDomain refused ${entry} (${askerText(askedBy)}): the terminal is closed; restart the agent with --trust ${entry} to trust it`);
        return Promise.resolve({ refused: `${entry} was not trusted: the agent's terminal is closed, so nobody can be asked` });
      }
      if (open !== undefined) {
        log(io, `/addDomain refused ${entry} (${askerText(askedBy)}): another question is open`);
        return Promise.resolve({ refused: `${entry} was not trusted: another site's request is being asked on the agent's terminal; ask again once it is answered` });
      }
      return new Promise<DomainDecision>((resolve) => {
        const timer = setTimeout(() => {
          question.answer({ refused: `no answer on the agent's terminal within ${seconds(timeoutMs)}: ${entry} was not trusted` }, `no answer in ${seconds(timeoutMs)}: ${entry} not trusted`);
        }, timeoutMs);
        const question: OpenQuestion = {
          entry,
          shownAt: performance.now(),
          answer(decision, logged) {
            clearTimeout(timer);
            open = undefined;
            io.stderr.write(`${logged}\n`);
            resolve(decision);
          },
        };
        open = question;
        typed = '';
        io.stderr.write(questionText(entry, askedBy, timeoutMs));
      });
    },
    close() {
      open?.answer({ refused: `the agent stopped before an answer: ${open.entry} was not trusted` }, `the agent is stopping: ${open.entry} not trusted`);
      io.stdin.off('data', onData);
      io.stdin.off('end', onEnd);
      io.stdin.off('error', onEnd);
      // Reading a terminal keeps the process alive: paused, it can exit once the agent has stopped.
      io.stdin.pause();
    },
  };
}

/** The question as the terminal shows it: what is trusted, for whom, at whose request, and the prompt. */
function questionText(entry: string, askedBy: string | undefined, timeoutMs: number): string {
  const lines = [
    '',
    'twpki agent: a page asks to trust a site (/addDomain).',
    `  asked by  ${askedBy === undefined ? 'not said (the browser sent neither Origin nor Referer)' : printable(askedBy)}`,
    `  to trust  ${printable(entry)}: ${coverage(entry)}`,
  ];
  // The page writes the domain it likes: one that is not its own site is worth a second look.
  if (askedBy !== undefined && !new TrustedOrigins([entry]).isTrusted(askedBy)) {
    lines.push('  NOTE      the page asking is not on that site: it asks to trust another one');
  }
  lines.push(
    '  A trusted site\'s pages can read the cards and certificates in this machine\'s readers and ask for signatures',
    '  (each signature needs the card\'s PIN typed into the page). Until the agent stops; not saved.',
    `Trust ${printable(entry)}? [y/N] (${seconds(timeoutMs)}) `,
  );
  return lines.join('\n');
}

/** What an entry covers, in words (see TrustedOrigins). */
function coverage(entry: string): string {
  if (/^https?:\/\//.test(entry)) return 'the pages of exactly this origin';
  const hostPort = /^(.*):([0-9]+)$/.exec(entry);
  if (hostPort === null) return 'every page of this host, on any port, over http or https';
  const [, host = '', port = ''] = hostPort;
  if (port === '443') return `the pages of https://${printable(host)} only`;
  if (port === '80') return `the pages of http://${printable(host)} only`;
  return `the pages of this host on port ${port} only, over http or https`;
}

function askerText(askedBy: string | undefined): string {
  return askedBy === undefined ? 'asked by a page that did not say where it is' : `asked by ${printable(askedBy)}`;
}

/** One line in the agent's log (stderr). */
function log(io: CliIo, line: string): void {
  io.stderr.write(`twpki agent: ${line}\n`);
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

/**
 * Text from a request as the terminal may show it: printable ASCII only. The agent hands over ASCII already (URL
 * serialisation, normalised entries); this keeps a terminal escape out should that ever change.
 */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}
