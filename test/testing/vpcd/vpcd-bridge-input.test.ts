import { describe, expect, it } from 'vitest';
import { VpcdBridge, VpcdBridgeError } from '../../../src/testing/vpcd/index.js';

describe('VpcdBridge.connect input', () => {
  // A harness that inserts a card it never created (undefined after an earlier
  // failure) must get a typed rejection from its own await, not an uncaught
  // TypeError from the socket callback that takes the whole test run down.
  it.each([undefined, null, 42, {}, { reset: () => new Uint8Array() }])('rejects %o with NOT_A_CARD before connecting', async (card) => {
    const attempt = VpcdBridge.connect(card as never, { port: 1, timeoutMs: 50 });
    await expect(attempt).rejects.toBeInstanceOf(VpcdBridgeError);
    await expect(attempt).rejects.toMatchObject({ code: 'NOT_A_CARD' });
    await expect(attempt).rejects.toThrow(/^card: expected a card emulator/);
  });
});
