/** An e-mail to send. Plain text only: notices carry a link and a short result. */
export interface MailMessage {
  /** Recipient address. */
  readonly to: string;
  /** Subject line. */
  readonly subject: string;
  /** Plain-text body. */
  readonly text: string;
}

/** Sends mail; implementations: `SmtpMailer` (`twpki/enroll/smtp`), {@link CapturingMailer}. */
export interface Mailer {
  /** Sends `message`; rejects if the message was not accepted for delivery. */
  send(message: MailMessage): Promise<void>;
}
