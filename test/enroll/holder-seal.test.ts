/**
 * HolderSeal: a verified holder survives a serialising session store (sealed,
 * then opened on "another instance" with the same key) and the flows accept
 * it; nothing else opens — another key or context, an altered or expired
 * value, a JSON copy of a holder, junk.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HolderSeal } from '../../src/enroll/adapters/holder-seal.js';
import type { VerifiedCardHolder } from '../../src/enroll/domain/card-holder.js';
import { isVerifiedHolder } from '../../src/enroll/domain/verified-holder.js';
import { EnrollError } from '../../src/enroll/errors.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { basicDataFor, citizenCard, describeEachStore, enrollFailure, gpsAccountFlow, tokenFromMail } from './helpers.js';
import { startLoginLab, type LoginLab } from './verified-logins.js';

const key = randomBytes(32);
const clock = new ManualClock('2026-03-02T01:00:00Z');
const seal = new HolderSeal({ key, clock });

let lab: LoginLab;
let real: VerifiedCardHolder;

beforeAll(async () => {
  lab = await startLoginLab();
  real = await lab.login(await lab.issue({}), 'TP03000000000001');
}, 60_000);

afterAll(async () => {
  await lab.close();
});

async function refusal(fn: () => unknown): Promise<EnrollError> {
  const err = await enrollFailure(Promise.resolve().then(fn));
  expect([err.code, err.refusal]).toEqual(['NOT_AUTHORIZED', 'VERIFIED_LOGIN_REQUIRED']);
  return err;
}

it('a real login sealed, stored as JSON and opened by another instance with the key is the same verified holder, without the certificate', () => {
  const stored = JSON.stringify({ adminCard: seal.seal(real, { context: 'session-1' }) });
  const other = new HolderSeal({ key: Buffer.from(key), clock });
  const opened = other.open((JSON.parse(stored) as { adminCard: string }).adminCard, { context: 'session-1' });
  expect(isVerifiedHolder(opened)).toBe(true);
  const { certificateDer, ...fields } = real;
  expect(certificateDer).toBeInstanceOf(Uint8Array);
  expect(opened).toEqual(fields);
  // An opened holder seals again (a session refreshed on each request).
  expect(other.open(other.seal(opened))).toEqual(fields);
});

it('refuses what it cannot vouch for: an unmarked holder, another key, another context, an altered or expired value, junk', async () => {
  const err = await refusal(() => seal.seal({ ...real }));
  expect(err.message).toContain('cardHolderFromLogin');
  const sealed = seal.seal(real, { context: 'session-1' });
  expect((await refusal(() => new HolderSeal({ key: randomBytes(32), clock }).open(sealed, { context: 'session-1' }))).message).toContain('does not verify');
  await refusal(() => seal.open(sealed, { context: 'session-2' }));
  await refusal(() => seal.open(sealed));
  // Each character of the payload and of the tag, changed.
  const body = sealed.slice('twpki-holder.v1.'.length);
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '.') continue;
    const altered = `twpki-holder.v1.${body.slice(0, i)}${body[i] === 'A' ? 'B' : 'A'}${body.slice(i + 1)}`;
    await refusal(() => seal.open(altered, { context: 'session-1' }));
  }
  // Every other spelling of the tag's last character, including those that decode to the same bytes.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (const c of alphabet) {
    if (c === sealed.at(-1)) continue;
    await refusal(() => seal.open(`${sealed.slice(0, -1)}${c}`, { context: 'session-1' }));
  }
  for (const junk of [undefined, null, 42, {}, '', 'twpki-holder.v1.', 'twpki-holder.v1..', `${sealed}.x`, sealed.toUpperCase(), JSON.stringify(real)]) {
    expect((await refusal(() => seal.open(junk, { context: 'session-1' }))).message).toMatch(/is not one|does not verify/);
  }
  const later = new ManualClock(clock.now());
  const timed = new HolderSeal({ key, clock: later, ttlMs: 60_000 });
  const short = timed.seal(real);
  later.advance(59_999);
  expect(timed.open(short).certificateSerial).toBe(real.certificateSerial);
  later.advance(1);
  expect((await refusal(() => timed.open(short))).message).toContain('expired at 2026-03-02T01:01:00.000Z');
});

it('a value sealed with the right key but not in the sealed shape does not open (fails closed)', async () => {
  // Built as seal() would, with the key: only the shape is wrong.
  const { createHmac } = await import('node:crypto');
  const forge = (body: unknown): string => {
    const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
    const tag = createHmac('sha256', key).update(`twpki-holder.v1.0:.${payload}`).digest('base64url');
    return `twpki-holder.v1.${payload}.${tag}`;
  };
  const exp = clock.now().getTime() + 60_000;
  expect(seal.open(forge({ exp, h: { authority: 'MOICA', subjectName: '王', certificateSerial: '0a' } })).subjectName).toBe('王');
  for (const body of [
    { exp, h: { authority: 'ROOT', subjectName: '王', certificateSerial: '0a' } },
    { exp, h: { authority: 'MOICA', certificateSerial: '0a' } },
    { exp, h: { authority: 'MOICA', subjectName: '王', certificateSerial: 10 } },
    { exp: String(exp), h: { authority: 'MOICA', subjectName: '王', certificateSerial: '0a' } },
    { h: { authority: 'MOICA', subjectName: '王', certificateSerial: '0a' } },
    [1, 2],
    'text',
  ]) {
    expect((await refusal(() => seal.open(forge(body)))).message).toContain('malformed');
  }
});

it('any verified holder round-trips, and any other context refuses it (property)', () => {
  const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
  fc.assert(
    fc.property(
      fc.record(
        {
          authority: fc.constantFrom('MOICA', 'MOEACA', 'GCA', 'XCA', 'HCA'),
          subjectName: text,
          certificateSerial: fc.stringMatching(/^[0-9a-f]{1,40}$/),
          cardNumber: text,
          idHint: text,
          organizationOid: text,
          businessId: text,
          anchor: text,
          validFrom: text,
        },
        { requiredKeys: ['authority', 'subjectName', 'certificateSerial'] },
      ),
      fc.string(),
      fc.string(),
      (fields, context, otherContext) => {
        const holder = citizenCard(1, fields as Partial<VerifiedCardHolder>);
        const sealed = seal.seal(holder, { context });
        expect(seal.open(sealed, { context })).toEqual(holder);
        if (otherContext !== context) expect(() => seal.open(sealed, { context: otherContext })).toThrow(EnrollError);
      },
    ),
    { numRuns: 200 },
  );
});

it('refuses a short or missing key and a non-positive lifetime at construction, naming the option', () => {
  expect(() => new HolderSeal({ key: randomBytes(31) })).toThrow(/key must be at least 32 bytes/);
  expect(() => new HolderSeal({ key: 'x'.repeat(64) as unknown as Uint8Array })).toThrow(/key must be/);
  expect(() => new HolderSeal(undefined as never)).toThrow(/key must be/);
  for (const ttlMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => new HolderSeal({ key, ttlMs })).toThrow(/ttlMs must be/);
  expect(() => seal.seal(citizenCard(1), { context: 5 as never })).toThrow(/context must be a string/);
});

describeEachStore('enroll_t_holder_seal', (db) => {
  it('the account flow binds with and logs in with an opened holder; a copy of the same fields is refused', async () => {
    const { flow, mailer } = gpsAccountFlow(db(), clock);
    const applicant = { role: 'applicant' as const, id: 'gps-account:H5600123' };
    const contact = { phone: '02-2345-6789', email: 'typed@example.com' };
    // The login request seals; the 確認送出 request (another instance) opens.
    const inSession = seal.seal(real, { context: 'sid-9' });
    const app = await flow.apply({ controlNumber: 'H5600123' }, applicant);
    await flow.submitBasicData(app.id, basicDataFor(), applicant);
    await refusal(() => flow.bindCard(app.id, { holder: JSON.parse(JSON.stringify(real)) as VerifiedCardHolder, contact }, applicant));
    await flow.bindCard(app.id, { holder: seal.open(inSession, { context: 'sid-9' }), contact }, applicant);
    await flow.approve(app.id, { role: 'reviewer', id: 'staff-1' });
    await flow.activate(tokenFromMail(mailer.sent.at(-1)?.text ?? ''));
    expect(await flow.resolveLogin(seal.open(inSession, { context: 'sid-9' }))).toBe('H5600123');
  });
});
