/**
 * How every flow sends a notice: inside the command's transaction, so a mail
 * server's refusal becomes `MAIL_FAILED` and rolls the decision back with it.
 */
import { EnrollError } from '../errors.js';
import type { MailMessage, Mailer } from '../ports/mailer.js';

/** Sends `message` through `mailer`; a refusal is `MAIL_FAILED` (the cause kept, the command rolled back). */
export async function sendNotice(mailer: Mailer, message: MailMessage): Promise<void> {
  try {
    await mailer.send(message);
  } catch (err) {
    throw new EnrollError('MAIL_FAILED', `could not send mail to ${message.to}`, { cause: err });
  }
}
