/**
 * Card-step refusals in the seed's words. The `twpki/fastify` plugin answers a
 * refusal with the message catalogue's text for its code, which for
 * `NOT_AUTHORIZED` is one generic sentence (此自然人憑證序號未經授權) whatever the
 * cause; the flows' own messages carry the seed's wording (工商憑證之統一編號與申請資料不符,
 * 此憑證尚未啟用登入, 憑證姓名與會員資料不符, 自然人憑證登入為停用). A step wrapped here answers such a refusal
 * itself, as `{ refused: { code, message } }`, and the page shows it.
 */
import { EnrollError } from 'twpki/enroll';
import type { CardStepAnswer } from './portal.js';

/** Codes whose flow message is more exact than the catalogue's. */
const SEED_WORDED = new Set(['NOT_AUTHORIZED', 'LOGIN_METHOD_DISABLED']);

/** Runs a card step's work; a seed-worded refusal becomes the answer `{ refused }` (nothing else is caught). */
export async function withSeedRefusals(work: () => Promise<CardStepAnswer>): Promise<CardStepAnswer> {
  try {
    return await work();
  } catch (err) {
    // Only Chinese flow messages are shown; an English developer note in parentheses is dropped.
    if (err instanceof EnrollError && SEED_WORDED.has(err.code) && /^[\u3400-\u9fff]/.test(err.message)) {
      return { refused: { code: err.code, message: err.message.replace(/\s*\([^)]*\)\s*$/, '') } };
    }
    throw err;
  }
}
