/**
 * Which reader a PIN-presenting command uses (src/cli/card-access.ts choosePinReader), without pcscd: the one
 * card, or the one chosen; never the first of several (pin-multi-card.pcsc.test.ts runs the commands on two
 * real vpcd readers).
 */
import { describe, expect, it } from 'vitest';
import { choosePinReader } from '../../src/cli/card-access.js';
import { UsageError } from '../../src/cli/command.js';
import { PcscError } from '../../src/pcsc/errors.js';

const reader = (name: string, cardPresent: boolean) => ({ name, cardPresent });

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

describe('the reader a PIN goes to', () => {
  it('with two cards and none chosen: a UsageError naming --reader and listing the readers with a card', () => {
    const readers = [reader('Agency 00', true), reader('Empty 01', false), reader('Citizen 02', true)];
    const error = thrown(() => choosePinReader(readers, undefined));
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      '2 cards are inserted: choose the one the PIN is for with --reader NAME (or TWPKI_READER); readers with a card: "Agency 00", "Citizen 02"',
    );
    expect((thrown(() => choosePinReader(readers, undefined, '--reader NAME')) as Error).message).toContain('with --reader NAME; readers');
  });

  it('the chosen reader, when it exists (a card in it or not: opening it says so)', () => {
    const readers = [reader('Agency 00', true), reader('Citizen 02', true), reader('Empty 01', false)];
    expect(choosePinReader(readers, 'Citizen 02')).toBe('Citizen 02');
    expect(choosePinReader(readers, 'Empty 01')).toBe('Empty 01');
    expect(thrown(() => choosePinReader(readers, 'Nope'))).toMatchObject({ code: 'UNKNOWN_READER' });
  });

  it('the only card, whichever reader it is in', () => {
    expect(choosePinReader([reader('Empty 00', false), reader('Citizen 01', true)], undefined)).toBe('Citizen 01');
  });

  it('no reader or no card: the typed PC/SC errors the card commands already give', () => {
    expect(thrown(() => choosePinReader([], undefined))).toMatchObject({ code: 'NO_READER' });
    const none = thrown(() => choosePinReader([reader('Empty 00', false)], undefined));
    expect(none).toBeInstanceOf(PcscError);
    expect(none).toMatchObject({ code: 'NO_CARD' });
  });
});
