import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { describeValue } from '../../shared/describe-value.js';
import { checkOptionNames } from '../../shared/option-names.js';
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

/** The names of {@link SmtpMailerOptions}; a Record so that an option added there and not here fails to compile. */
const SMTP_OPTIONS: Record<keyof SmtpMailerOptions, true> = { from: true, transport: true, timeoutMs: true };

// Node's timers hold at most 2^31 - 1 ms; a longer one fires after 1 ms, so a huge limit would be almost none.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** {@link Mailer} over SMTP via nodemailer. */
export class SmtpMailer implements Mailer {
  private readonly transporter: Transporter;
  private readonly from: string;

  /**
   * Builds the nodemailer transport once; connections are opened per send by nodemailer.
   * @throws RangeError naming the option, when built rather than at the first send: options that are not an object
   *   or have a name that is no option (a misspelt `form` left the sender unset), a `from` that is not a non-empty
   *   string, a `transport` that is neither a URL string nor an object, a `timeoutMs` that is not a whole number of
   *   milliseconds from 1 to 2^31 - 1.
   */
  public constructor(options: SmtpMailerOptions) {
    checkOptionNames('SmtpMailer', options, SMTP_OPTIONS, false);
    const { from, transport, timeoutMs = DEFAULT_SMTP_TIMEOUT_MS } = options as Partial<Record<keyof SmtpMailerOptions, unknown>>;
    if (typeof from !== 'string' || from.trim() === '') {
      throw new RangeError(`SmtpMailer: option from must be the sender (a non-empty string such as "GPS 客服 <toxicgps@example.gov.tw>"), not ${describeValue(from)}`);
    }
    if (!(typeof transport === 'string' ? transport.trim() !== '' : typeof transport === 'object' && transport !== null && !Array.isArray(transport))) {
      throw new RangeError(`SmtpMailer: option transport must be an SMTP URL (a non-empty string) or nodemailer transport options (an object), not ${describeValue(transport)}`);
    }
    if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMER_MS) {
      throw new RangeError(`SmtpMailer: option timeoutMs must be a whole number of milliseconds from 1 to ${MAX_TIMER_MS}, not ${describeValue(timeoutMs)}`);
    }
    this.transporter = nodemailer.createTransport(withTimeouts(transport as SmtpMailerOptions['transport'], timeoutMs));
    this.from = from;
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
  const timeouts = { connectionTimeout: ms, greetingTimeout: ms, socketTimeout: ms };
  if (typeof transport === 'string') return { url: transport, ...timeouts };
  if (typeof transport !== 'object' || transport === null || 'send' in transport) return transport;
  return { ...timeouts, ...transport };
}
