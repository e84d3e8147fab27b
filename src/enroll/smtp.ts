/**
 * The SMTP mailer for enrollment notices, on nodemailer. Its own entry so that
 * `twpki/enroll` loads no mail library; tests use `CapturingMailer` from
 * `twpki/enroll` instead.
 * @packageDocumentation
 */
export { DEFAULT_SMTP_TIMEOUT_MS, SmtpMailer, type SmtpMailerOptions } from './mail/smtp-mailer.js';
