/**
 * The portal keeps a verified card between two requests (確認送出 after
 * 取得憑證資訊) in the browser session, sealed: a session store that
 * serialises, or another portal instance with the same key, gives the flows
 * back the verified holder; another session, another step, another key or
 * an expired card gives the page its 409.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VerifiedCards, type CardView } from '../../examples/portal/core/card-view.js';
import { ManualClock, type VerifiedCardHolder } from '../../src/enroll/index.js';
import { startLoginLab, type LoginLab } from '../enroll/verified-logins.js';

type PortalSession = FastifyRequest['session'];

/** A session whose store keeps JSON text, as Redis or a database would. */
function serialisingSession(sessionId: string, text = '{}'): PortalSession & { text: string } {
  const session = {
    sessionId,
    text,
    get(key: string): unknown {
      return (JSON.parse(session.text) as Record<string, unknown>)[key];
    },
    set(key: string, value: unknown): void {
      session.text = JSON.stringify({ ...(JSON.parse(session.text) as Record<string, unknown>), [key]: value });
    },
  };
  return session as unknown as PortalSession & { text: string };
}

describe('portal: verified cards kept sealed in the session', () => {
  let lab: LoginLab;
  let card: CardView;
  let holder: VerifiedCardHolder;

  beforeAll(async () => {
    lab = await startLoginLab();
    holder = await lab.login(await lab.issue({}), 'TP03000012345678');
    card = {
      name: holder.subjectName,
      cardNumber: holder.cardNumber ?? '',
      certificateSerial: holder.certificateSerial,
      idHint: holder.idHint,
      organizationOid: undefined,
      businessId: undefined,
      authorityName: '內政部憑證管理中心',
      holder,
    };
  }, 60_000);

  afterAll(async () => {
    await lab?.close();
  });

  it('comes back from a serialising store, on another instance with the same key, as the verified holder', () => {
    const key = randomBytes(32);
    const session = serialisingSession('sid-1');
    new VerifiedCards(key).put(session, 'gps.apply', card);
    // Nothing personal is readable in the stored session.
    expect(session.text).not.toContain(holder.subjectName);
    expect(session.text).not.toContain('TP03000012345678');
    const back = new VerifiedCards(key).get(serialisingSession('sid-1', session.text), 'gps.apply');
    expect(back.name).toBe(card.name);
    expect(back.cardNumber).toBe('TP03000012345678');
    expect(back.holder).toMatchObject({ subjectName: holder.subjectName, cardNumber: holder.cardNumber, certificateSerial: holder.certificateSerial, anchor: holder.anchor });
  });

  it('another session, another step, another key or an expired card is "read the card first" (409)', () => {
    const key = randomBytes(32);
    const clock = new ManualClock(new Date('2026-12-01T00:00:00Z'));
    const cards = new VerifiedCards(key, clock);
    const session = serialisingSession('sid-1');
    cards.put(session, 'gepi.admin-unchecked', card);
    const refused = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (error) {
        return error;
      }
      throw new Error('expected a refusal');
    };
    // The same stored data under another session id (a copied session) does not open.
    expect(refused(() => cards.get(serialisingSession('sid-2', session.text), 'gepi.admin-unchecked'))).toMatchObject({ status: 409, code: 'CARD_NOT_VERIFIED' });
    // Moved to another step by hand: sealed for the step it was verified for.
    const moved = serialisingSession('sid-1', JSON.stringify({ 'verifiedCard:gepi.admin': (JSON.parse(session.text) as Record<string, unknown>)['verifiedCard:gepi.admin-unchecked'] }));
    expect(refused(() => cards.get(moved, 'gepi.admin'))).toMatchObject({ status: 409 });
    expect(refused(() => new VerifiedCards(randomBytes(32)).get(session, 'gepi.admin-unchecked'))).toMatchObject({ status: 409 });
    clock.advance(10 * 60_000 + 1);
    expect(refused(() => cards.get(session, 'gepi.admin-unchecked', '請先完成授權管理者自然人憑證確認'))).toMatchObject({
      status: 409,
      message: '請先完成授權管理者自然人憑證確認',
    });
    // A refused card is dropped, and a step never verified is refused the same way.
    expect(JSON.parse(session.text)).toEqual({});
    expect(refused(() => cards.get(session, 'gps.add'))).toMatchObject({ status: 409 });
  });

  it('drop forgets only the steps named', () => {
    const cards = new VerifiedCards(randomBytes(32));
    const session = serialisingSession('sid-3');
    cards.put(session, 'gepi.org', card);
    cards.put(session, 'gepi.admin', card);
    cards.put(session, 'gepi.query-serial', card);
    cards.drop(session, 'gepi.org', 'gepi.admin');
    // One session key per step: two steps verified at once save different keys (see the session store).
    expect(Object.keys(JSON.parse(session.text) as object)).toEqual(['verifiedCard:gepi.query-serial']);
    expect(cards.get(session, 'gepi.query-serial').holder.cardNumber).toBe('TP03000012345678');
  });
});
