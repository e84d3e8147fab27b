/**
 * The portal's development mail sink: an `smtp-server` on 127.0.0.1 that
 * accepts every message and keeps it in memory, so the notices the SDK's
 * `SmtpMailer` sends can be read at /dev/mailbox and by tests. No TLS, no
 * AUTH, no relaying. Development and tests only.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message the sink accepted, decoded for reading. */
export interface CapturedMail {
  /** Envelope sender (MAIL FROM). */
  readonly from: string;
  /** Envelope recipients (RCPT TO), lower-case. */
  readonly to: readonly string[];
  /** Decoded Subject header. */
  readonly subject: string;
  /** Decoded plain-text body. */
  readonly text: string;
  /** When the sink accepted it. */
  readonly receivedAt: Date;
}

/** A running sink. */
export interface MailSink {
  /** Host the sink listens on (always 127.0.0.1). */
  readonly host: string;
  /** Port the sink listens on. */
  readonly port: number;
  /** Every accepted message, oldest first. */
  readonly messages: readonly CapturedMail[];
  /** Resolves with the first message for `to` received at index `since` or later (default 0). */
  waitFor(to: string, options?: { timeoutMs?: number; since?: number }): Promise<CapturedMail>;
  /** Stops listening. */
  close(): Promise<void>;
}

/** Bytes of quoted-printable text whose characters are bytes (read as latin1). */
function quotedPrintable(text: string): Buffer {
  const soft = text.replace(/=\r?\n/g, '');
  const out: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const hex = soft.slice(i + 1, i + 3);
    if (soft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      out.push(soft.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** Decodes RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?UTF-8?Q?…?=`) in a header value read as latin1. */
export function decodeHeaderValue(value: string): string {
  return Buffer.from(value, 'latin1')
    .toString('utf8')
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_all, charset: string, kind: string, data: string) => {
      const bytes = kind.toUpperCase() === 'B' ? Buffer.from(data, 'base64') : quotedPrintable(data.replace(/_/g, ' '));
      return new TextDecoder(charset).decode(bytes);
    });
}

/** Subject and text of a single-part message as `SmtpMailer` (nodemailer) writes it, read as latin1. */
export function parseMessage(raw: string): { subject: string; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split + 4);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const bytes =
    encoding === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64')
    : encoding === 'quoted-printable' ? quotedPrintable(body)
    : Buffer.from(body, 'latin1');
  return { subject: decodeHeaderValue(headers.get('subject') ?? ''), text: bytes.toString('utf8').replace(/\r\n/g, '\n') };
}

/**
 * Starts the sink on 127.0.0.1 (`port` 0 picks a free one). Point `SmtpMailer`
 * at it with `{ host, port, secure: false, ignoreTLS: true }`.
 */
export async function startMailSink(options: { port?: number; maxMessageBytes?: number } = {}): Promise<MailSink> {
  const messages: CapturedMail[] = [];
  const waiters = new Set<{ to: string; resolve: (m: CapturedMail) => void }>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: options.maxMessageBytes ?? 1 << 20,
    banner: 'twpki portal mail sink',
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (stream.sizeExceeded) return callback(Object.assign(new Error('message too large'), { responseCode: 552 }));
        const { subject, text } = parseMessage(Buffer.concat(chunks).toString('latin1'));
        const mail: CapturedMail = {
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address.toLowerCase(),
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          subject,
          text,
          receivedAt: new Date(),
        };
        messages.push(mail);
        for (const w of waiters) {
          if (mail.to.includes(w.to)) {
            waiters.delete(w);
            w.resolve(mail);
          }
        }
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port: address.port,
    messages,
    waitFor(recipient, opts = {}) {
      const want = recipient.toLowerCase();
      const found = messages.slice(opts.since ?? 0).find((m) => m.to.includes(want));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timeoutMs = opts.timeoutMs ?? 10_000;
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no mail to ${want} within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter = { to: want, resolve: (m: CapturedMail) => (clearTimeout(timer), resolve(m)) };
        waiters.add(waiter);
      });
    },
    close() {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
