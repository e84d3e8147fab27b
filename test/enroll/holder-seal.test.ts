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

it('the sealed text shows nothing of the holder to whoever holds it (a cookie, a log)', () => {
  const holder = citizenCard(7, { subjectName: '王小明', cardNumber: 'TP03000012345678', idHint: '6789' });
  const sealed = seal.seal(holder, { context: 'session-1' });
  expect(sealed).toMatch(/^twpki-holder\.v2\.[A-Za-z0-9_-]+$/);
  const decoded = Buffer.from(sealed.slice('twpki-holder.v2.'.length), 'base64url');
  for (const secret of ['王小明', 'TP03000012345678', '6789', 'MOICA', holder.certificateSerial]) {
    expect([secret, decoded.includes(Buffer.from(secret))]).toEqual([secret, false]);
    expect(sealed.includes(secret)).toBe(false);
  }
  // Two seals of the same holder differ (a fresh IV each time), so equal values do not reveal equal holders.
  expect(seal.seal(holder, { context: 'session-1' })).not.toBe(sealed);
});

it('refuses what it cannot vouch for: an unmarked holder, another key, another context, an altered or expired value, junk', async () => {
  const err = await refusal(() => seal.seal({ ...real }));
  expect(err.message).toContain('cardHolderFromLogin');
  const sealed = seal.seal(real, { context: 'session-1' });
  expect((await refusal(() => new HolderSeal({ key: randomBytes(32), clock }).open(sealed, { context: 'session-1' }))).message).toContain('does not verify');
  await refusal(() => seal.open(sealed, { context: 'session-2' }));
  await refusal(() => seal.open(sealed));
  // Each character changed.
  const body = sealed.slice('twpki-holder.v2.'.length);
  for (let i = 0; i < body.length; i++) {
    const altered = `twpki-holder.v2.${body.slice(0, i)}${body[i] === 'A' ? 'B' : 'A'}${body.slice(i + 1)}`;
    await refusal(() => seal.open(altered, { context: 'session-1' }));
  }
  // Every other spelling of the tag's last character, including those that decode to the same bytes.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (const c of alphabet) {
    if (c === sealed.at(-1)) continue;
    await refusal(() => seal.open(`${sealed.slice(0, -1)}${c}`, { context: 'session-1' }));
  }
  for (const junk of [undefined, null, 42, {}, '', 'twpki-holder.v2.', 'twpki-holder.v2..', `${sealed}.x`, `${sealed}=`, sealed.toUpperCase(), sealed.slice(0, -2), JSON.stringify(real)]) {
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
  // Built as seal() would, with the key (white box: the format's key derivation and AAD): only the shape is wrong.
  const { createCipheriv, hkdfSync } = await import('node:crypto');
  const forge = (body: unknown): string => {
    const k = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'twpki holder seal v2', 32));
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', k, iv).setAAD(Buffer.from('twpki-holder.v2.0:'));
    const out = Buffer.concat([iv, cipher.update(Buffer.from(JSON.stringify(body))), cipher.final(), cipher.getAuthTag()]);
    return `twpki-holder.v2.${out.toString('base64url')}`;
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
      fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
      fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
      (fields, context, otherContext) => {
        const holder = citizenCard(1, fields as Partial<VerifiedCardHolder>);
        const sealed = seal.seal(holder, context === undefined ? undefined : { context });
        expect(seal.open(sealed, { ...(context === undefined ? {} : { context }) })).toEqual(holder);
        if (otherContext !== context) expect(() => seal.open(sealed, otherContext === undefined ? {} : { context: otherContext })).toThrow(EnrollError);
      },
    ),
    { numRuns: 200 },
  );
});

it('refuses a bad key, lifetime or clock at construction and bad per-call options, naming them', () => {
  expect(() => new HolderSeal({ key: randomBytes(31) })).toThrow(/key must be at least 32 random bytes/);
  expect(() => new HolderSeal({ key: 'x'.repeat(64) as unknown as Uint8Array })).toThrow(/key must be/);
  expect(() => new HolderSeal(undefined as never)).toThrow(/key must be/);
  for (const ttlMs of [0, -1, 1.5, 1e20, 24 * 3_600_000 + 1, Number.NaN, Number.POSITIVE_INFINITY, '1800000', 1_800_000n]) {
    expect(() => new HolderSeal({ key, ttlMs: ttlMs as number })).toThrow(RangeError);
  }
  expect(() => new HolderSeal({ key, ttlMs: '1800000' as never })).toThrow('ttlMs must be a whole number of milliseconds from 1 to 86400000 (24 hours), not "1800000"');
  expect(new HolderSeal({ key, ttlMs: 24 * 3_600_000 })).toBeInstanceOf(HolderSeal);
  for (const bad of [{}, new Date(), 'now']) expect(() => new HolderSeal({ key, clock: bad as never })).toThrow(/clock must be an object with a now\(\) method/);
  // The session id passed where the options go would silently drop the binding: refused instead.
  const sealed = seal.seal(citizenCard(1), { context: 'session-A' });
  expect(() => seal.seal(citizenCard(1), 'session-A' as never)).toThrow(/options must be \{ context\?: string \}/);
  expect(() => seal.open(sealed, 'session-B' as never)).toThrow(TypeError);
  for (const context of [5, '', null]) expect(() => seal.seal(citizenCard(1), { context: context as never })).toThrow(/context must be a non-empty string/);
});

it('a rotated key: what the previous key sealed still opens, everything new is sealed with the new key', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const before = new HolderSeal({ key: oldKey, clock });
  const rotated = new HolderSeal({ key: newKey, previousKeys: [randomBytes(32), oldKey], clock });
  const sealedBefore = before.seal(real, { context: 'session-A' });
  const opened = rotated.open(sealedBefore, { context: 'session-A' });
  expect(isVerifiedHolder(opened)).toBe(true);
  expect(opened.cardNumber).toBe(real.cardNumber);
  // Still bound to its context, and still refused once expired.
  expect(() => rotated.open(sealedBefore, { context: 'session-B' })).toThrow(EnrollError);
  // What the rotated seal makes, only the new key opens: an instance still on the old key alone refuses it.
  const sealedAfter = rotated.seal(real, { context: 'session-A' });
  expect(new HolderSeal({ key: newKey, clock }).open(sealedAfter, { context: 'session-A' }).cardNumber).toBe(real.cardNumber);
  expect(() => before.open(sealedAfter, { context: 'session-A' })).toThrow(/does not verify/);
  // Without the previous key the old value is refused, as before rotation support.
  expect(() => new HolderSeal({ key: newKey, clock }).open(sealedBefore, { context: 'session-A' })).toThrow(/does not verify/);
  clock.advance(30 * 60_000);
  expect(() => rotated.open(sealedBefore, { context: 'session-A' })).toThrow(/expired/);
  clock.set('2026-03-02T01:00:00Z');
});

it('refuses previous keys that are not a short list of real keys, naming the entry', () => {
  expect(() => new HolderSeal({ key, previousKeys: [randomBytes(32), randomBytes(16)] })).toThrow('previousKeys[1] must be at least 32 random bytes');
  expect(() => new HolderSeal({ key, previousKeys: ['x'.repeat(64) as unknown as Uint8Array] })).toThrow(/previousKeys\[0\] must be/);
  expect(() => new HolderSeal({ key, previousKeys: Array.from({ length: 5 }, () => randomBytes(32)) })).toThrow(/at most 4/);
  expect(() => new HolderSeal({ key, previousKeys: randomBytes(32) as unknown as Uint8Array[] })).toThrow(/previousKeys must be a list/);
  expect(new HolderSeal({ key, previousKeys: [] })).toBeInstanceOf(HolderSeal);
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
    // The holder's serial is spelt as the flow lists it.
    expect((await flow.listCards('H5600123')).map((c) => c.certificateSerial)).toEqual([real.certificateSerial]);
  });
});
