import type { NativeBinding, NativeCard } from '../../src/pcsc/native-binding.js';

/** The `SCARD_*` dispositions a stand-in binding gives the session (pcsc-lite's values). */
export const DISPOSITION = { leave: 0, reset: 1, unpower: 2 } as const;

/** The `SCARD_*` constants of a stand-in binding (pcsc-lite's values): everything of `NativeBinding` but `Context`. */
export const SCARD_CONSTANTS = {
  SCARD_SHARE_SHARED: 2,
  SCARD_SHARE_EXCLUSIVE: 1,
  SCARD_PROTOCOL_T0: 1,
  SCARD_PROTOCOL_T1: 2,
  SCARD_STATE_CHANGED: 0x2,
  SCARD_STATE_PRESENT: 0x20,
  SCARD_STATE_MUTE: 0x200,
  SCARD_LEAVE_CARD: DISPOSITION.leave,
  SCARD_RESET_CARD: DISPOSITION.reset,
  SCARD_UNPOWER_CARD: DISPOSITION.unpower,
} as const satisfies Omit<NativeBinding, 'Context'>;

/**
 * A stand-in for the `smartcard` binding whose one reader (`reader`, a card present with `atr`) connects to `card`:
 * the real PcscSession, ReaderLines and ReaderWatch code runs on top of it, without pcscd. Its contexts list that
 * reader, never see a change and release nothing.
 */
export function oneReaderBinding(reader: string, atr: Uint8Array, card: NativeCard): NativeBinding {
  const handle = { name: reader, state: 0x20, atr: Buffer.from(atr), connect: () => Promise.resolve(card) };
  class Context {
    listReaders() {
      return [handle];
    }
    waitForChange() {
      return Promise.resolve(null);
    }
    cancel() {}
    close() {}
  }
  return { Context, ...SCARD_CONSTANTS } as unknown as NativeBinding;
}
