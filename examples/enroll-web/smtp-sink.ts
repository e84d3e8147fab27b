/**
 * A minimal SMTP server on 127.0.0.1 that accepts every message and keeps it
 * in memory, so the example's activation mail can be read without a real mail
 * server. It speaks just enough SMTP (RFC 5321) for nodemailer: no TLS, no
 * AUTH, no relaying anywhere. Development and tests only.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** One message the sink accepted, decoded for reading. */
export interface CapturedMail {
  /** Envelope sender (MAIL FROM). */
  readonly from: string;
  /** Envelope recipients (RCPT TO). */
  readonly to: readonly string[];
  /** Decoded Subject header. */
  readonly subject: string;
  /** Decoded plain-text body. */
  readonly text: string;
  /** The message as received (headers and encoded body). */
  readonly raw: string;
  /** When the sink accepted it. */
  readonly receivedAt: Date;
}

/** A running sink. */
export interface SmtpSink {
  /** Host the sink listens on (always 127.0.0.1). */
  readonly host: string;
  /** Port the sink listens on. */
  readonly port: number;
  /** Every accepted message, oldest first. */
  readonly messages: readonly CapturedMail[];
  /** Resolves with the next message for `to` (or one already received after `since`). */
  waitFor(to: string, options?: { timeoutMs?: number; since?: number }): Promise<CapturedMail>;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/** Options of {@link startSmtpSink}. */
export interface SmtpSinkOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** Largest message accepted, in bytes (default 1 MiB). */
  readonly maxMessageBytes?: number;
}

const CRLF = '\r\n';

/** Decodes RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?UTF-8?Q?…?=`) in a header value. */
export function decodeHeaderValue(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_all, charset: string, kind: string, data: string) => {
      const bytes =
        kind.toUpperCase() === 'B'
          ? Buffer.from(data, 'base64')
          : decodeQuotedPrintableBytes(data.replace(/_/g, ' '));
      return new TextDecoder(charset.toLowerCase() === 'utf-8' ? 'utf-8' : charset).decode(bytes);
    });
}

function decodeQuotedPrintableBytes(text: string): Buffer {
  const soft = text.replace(/=\r?\n/g, '');
  const out: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const ch = soft[i] as string;
    const hex = soft.slice(i + 1, i + 3);
    if (ch === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      out.push(...Buffer.from(ch, 'utf8'));
    }
  }
  return Buffer.from(out);
}

/** Splits a message into decoded subject and text body (single-part text, as SmtpMailer sends). */
export function parseMessage(raw: string): { subject: string; text: string } {
  const split = raw.indexOf(CRLF + CRLF);
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split + 4);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split(CRLF)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  let text: string;
  if (encoding === 'base64') text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  else if (encoding === 'quoted-printable') text = decodeQuotedPrintableBytes(body).toString('utf8');
  else text = body;
  return { subject: decodeHeaderValue(headers.get('subject') ?? ''), text: text.replace(/\r\n/g, '\n') };
}

function addressOf(argument: string): string {
  const m = /<([^>]*)>/.exec(argument);
  return (m ? m[1] ?? '' : argument).trim().toLowerCase();
}

/**
 * Starts the sink on 127.0.0.1. Point `SmtpMailer` at it with
 * `{ host: sink.host, port: sink.port, secure: false, ignoreTLS: true }`.
 */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const maxBytes = options.maxMessageBytes ?? 1 << 20;
  const messages: CapturedMail[] = [];
  const waiters = new Set<{ to: string; since: number; resolve: (m: CapturedMail) => void }>();
  const sockets = new Set<Socket>();

  function deliver(mail: CapturedMail): void {
    messages.push(mail);
    for (const w of waiters) {
      if (mail.to.includes(w.to)) {
        waiters.delete(w);
        w.resolve(mail);
      }
    }
  }

  function session(socket: Socket): void {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setEncoding('latin1');
    let buffer = '';
    let inData = false;
    let data = '';
    let from = '';
    let to: string[] = [];
    const reply = (line: string): void => {
      socket.write(line + CRLF);
    };
    reply('220 twpki-smtp-sink ESMTP ready');

    const command = (line: string): void => {
      const verb = line.slice(0, 4).toUpperCase();
      const argument = line.slice(line.indexOf(':') + 1);
      switch (verb) {
        case 'EHLO':
          socket.write(`250-twpki-smtp-sink${CRLF}250-8BITMIME${CRLF}250-SMTPUTF8${CRLF}250 SIZE ${maxBytes}${CRLF}`);
          return;
        case 'HELO':
          return reply('250 twpki-smtp-sink');
        case 'MAIL':
          from = addressOf(argument.replace(/\s+(SIZE|BODY|SMTPUTF8)\b.*$/i, ''));
          to = [];
          return reply('250 OK');
        case 'RCPT':
          to.push(addressOf(argument));
          return reply('250 OK');
        case 'DATA':
          if (to.length === 0) return reply('503 RCPT first');
          inData = true;
          data = '';
          return reply('354 End data with <CR><LF>.<CR><LF>');
        case 'RSET':
          from = '';
          to = [];
          return reply('250 OK');
        case 'NOOP':
          return reply('250 OK');
        case 'QUIT':
          reply('221 Bye');
          socket.end();
          return;
        default:
          return reply('502 Command not implemented');
      }
    };

    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          const end = buffer.indexOf(`${CRLF}.${CRLF}`);
          const bare = data === '' && buffer.startsWith(`.${CRLF}`) ? 0 : -1;
          if (end < 0 && bare < 0) {
            if (buffer.length > maxBytes) {
              reply('552 Message too large');
              socket.destroy();
            }
            return;
          }
          const body = bare === 0 ? '' : buffer.slice(0, end);
          buffer = buffer.slice(bare === 0 ? 3 : end + 5);
          inData = false;
          // Undo dot-stuffing; the bytes were read as latin1, so re-encode before decoding UTF-8.
          const raw = Buffer.from(body.replace(/^\.\./gm, '.'), 'latin1').toString('utf8');
          const { subject, text } = parseMessage(raw);
          deliver({ from, to: [...to], subject, text, raw, receivedAt: new Date() });
          to = [];
          reply('250 OK: queued');
          continue;
        }
        const eol = buffer.indexOf(CRLF);
        if (eol < 0) {
          if (buffer.length > 4096) socket.destroy();
          return;
        }
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        command(line);
      }
    });
  }

  const server: Server = createServer(session);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    host: '127.0.0.1',
    port,
    messages,
    waitFor(recipient, opts = {}) {
      const want = recipient.toLowerCase();
      const since = opts.since ?? 0;
      const done = messages.slice(since).find((m) => m.to.includes(want));
      if (done) return Promise.resolve(done);
      return new Promise((resolve, reject) => {
        const waiter = { to: want, since, resolve: (m: CapturedMail) => (clearTimeout(timer), resolve(m)) };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no mail to ${want} within ${opts.timeoutMs ?? 10_000} ms`));
        }, opts.timeoutMs ?? 10_000);
        waiters.add(waiter);
      });
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
