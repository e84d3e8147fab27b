import type { MailMessage, Mailer } from '../ports/mailer.js';

/** {@link Mailer} that keeps messages in memory; can be told to fail (tests, demos). */
export class CapturingMailer implements Mailer {
  /** Every accepted message, oldest first. */
  public readonly sent: MailMessage[] = [];
  private failures = 0;

  /** Makes the next `count` sends reject, to exercise delivery failures. */
  public failNext(count = 1): void {
    this.failures += count;
  }

  /** Sends `message`; rejects if the message was not accepted for delivery. */
  public send(message: MailMessage): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      return Promise.reject(new Error('simulated mail delivery failure'));
    }
    this.sent.push(message);
    return Promise.resolve();
  }

  /** Messages sent to `to`. */
  public to(to: string): MailMessage[] {
    return this.sent.filter((m) => m.to === to);
  }

  /** The most recent message, if any. */
  public last(): MailMessage | undefined {
    return this.sent[this.sent.length - 1];
  }
}
