import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { MailMessage, Mailer } from '../ports/mailer.js';

/** Options of {@link SmtpMailer}. */
export interface SmtpMailerOptions {
  /** Sender, e.g. `"GPS 客服 <toxicgps@example.gov.tw>"`. */
  readonly from: string;
  /** SMTP URL (`smtps://user:pass@host:465`) or nodemailer transport options. */
  readonly transport: string | Parameters<typeof nodemailer.createTransport>[0];
  /**
   * Longest wait for the server at each step of a send (connecting, its
   * greeting, each reply); default {@link DEFAULT_SMTP_TIMEOUT_MS}.
   * nodemailer's own defaults wait up to 2 minutes to connect and 10 minutes
   * for a reply, and a decision that notifies (審核通過, 驗證碼…) sends inside
   * its transaction, holding the application's row until the mail is
   * accepted or refused. Timeouts set in `transport` itself win.
   */
  readonly timeoutMs?: number;
}

/** Default {@link SmtpMailerOptions.timeoutMs}: 20 seconds. */
export const DEFAULT_SMTP_TIMEOUT_MS = 20_000;

/** {@link Mailer} over SMTP via nodemailer. */
export class SmtpMailer implements Mailer {
  private readonly transporter: Transporter;
  private readonly from: string;

  /** Builds the nodemailer transport once; connections are opened per send by nodemailer. */
  public constructor(options: SmtpMailerOptions) {
    this.transporter = nodemailer.createTransport(withTimeouts(options.transport, options.timeoutMs ?? DEFAULT_SMTP_TIMEOUT_MS));
    this.from = options.from;
  }

  /** Sends `message`; rejects if the message was not accepted for delivery. */
  public async send(message: MailMessage): Promise<void> {
    await this.transporter.sendMail({ from: this.from, to: message.to, subject: message.subject, text: message.text });
  }

  /** Closes pooled connections, if the transport pools. */
  public close(): void {
    this.transporter.close();
  }
}

/**
 * `transport` with the SMTP timeouts set to `ms` where it does not set them.
 * A transport object of its own (one with a `send` method) is left alone.
 */
function withTimeouts(transport: SmtpMailerOptions['transport'], ms: number): SmtpMailerOptions['transport'] {
  if (!(ms > 0)) throw new RangeError(`SmtpMailer timeoutMs must be a positive number of milliseconds, not ${String(ms)}`);
  const timeouts = { connectionTimeout: ms, greetingTimeout: ms, socketTimeout: ms };
  if (typeof transport === 'string') return { url: transport, ...timeouts };
  if (typeof transport !== 'object' || transport === null || 'send' in transport) return transport;
  return { ...timeouts, ...transport };
}
