import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { MailMessage, Mailer } from '../ports/mailer.js';

/** Options of {@link SmtpMailer}. */
export interface SmtpMailerOptions {
  /** Sender, e.g. `"GPS 客服 <toxicgps@example.gov.tw>"`. */
  readonly from: string;
  /** SMTP URL (`smtps://user:pass@host:465`) or nodemailer transport options. */
  readonly transport: string | Parameters<typeof nodemailer.createTransport>[0];
}

/** {@link Mailer} over SMTP via nodemailer. */
export class SmtpMailer implements Mailer {
  private readonly transporter: Transporter;
  private readonly from: string;

  /** Builds the nodemailer transport once; connections are opened per send by nodemailer. */
  public constructor(options: SmtpMailerOptions) {
    this.transporter = nodemailer.createTransport(options.transport);
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
