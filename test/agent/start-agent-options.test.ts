/**
 * startAgent and TrustedOrigins given what JavaScript or a configuration file may hand them. A single origin as a
 * string was iterated character by character: `trusted: 'gov.example'` trusted the hosts g, o, v, e, … and not
 * gov.example. A missing `slots` was a TypeError from inside ("Cannot read properties of undefined"), slots of the
 * wrong kind an agent answering every page "internal error", and a port of '61161' (an environment variable) a
 * listen on something other than 127.0.0.1:61161. Each is refused before anything listens, naming the option.
 */
import { describe, expect, it } from 'vitest';
import { EmulatorCardSlots, TrustedOrigins, startAgent } from '../../src/agent/index.js';
import { EmulatorReader } from '../../src/pcsc/index.js';

const anyValue = (value: unknown): never => value as never;

describe('TrustedOrigins', () => {
  it('refuses one origin given as a string instead of a list, and entries that are not strings', () => {
    expect(() => new TrustedOrigins(anyValue('gov.example'))).toThrow(
      new TypeError('trusted origins must be a list (an array) of origins or host names, not the string "gov.example" (write ["gov.example"])'),
    );
    expect(() => new TrustedOrigins(anyValue(5))).toThrow(new TypeError('trusted origins must be a list (an array) of origins or host names, not 5'));
    expect(() => new TrustedOrigins(anyValue(null))).toThrow(new TypeError('trusted origins must be a list (an array) of origins or host names, not null'));
    expect(() => new TrustedOrigins(anyValue(['gov.example', 42]))).toThrow(new TypeError('a trusted entry is an origin or host name (a string), not 42'));
    expect(() => new TrustedOrigins().add(anyValue(undefined))).toThrow(new TypeError('a trusted entry is an origin or host name (a string), not undefined (missing)'));
    // A list, a Set, any iterable of strings is still a list.
    const t = new TrustedOrigins(new Set(['gov.example']));
    expect([t.isTrusted('https://gov.example'), t.isTrusted('https://g')]).toEqual([true, false]);
  });
});

describe('startAgent', () => {
  const slots = new EmulatorCardSlots(new EmulatorReader());

  it('refuses options it cannot start with, naming them', async () => {
    const cases: [unknown, string][] = [
      [undefined, 'startAgent: options must be an object with slots (await PcscCardSlots.open(), new EmulatorCardSlots(reader)), not undefined (missing)'],
      [{}, 'startAgent: slots must be CardSlots (await PcscCardSlots.open(), new EmulatorCardSlots(reader)), not undefined (missing)'],
      [{ slots: {} }, 'startAgent: slots must be CardSlots (await PcscCardSlots.open(), new EmulatorCardSlots(reader)), not an object'],
      [{ slots, port: '61161' }, 'startAgent: port must be a whole number from 0 to 65535 (0 picks a free one), not "61161"'],
      [{ slots, port: -1 }, 'startAgent: port must be a whole number from 0 to 65535 (0 picks a free one), not -1'],
      [{ slots, port: 1.5 }, 'startAgent: port must be a whole number from 0 to 65535 (0 picks a free one), not 1.5'],
      [{ slots, port: 0, confirmDomain: true }, 'startAgent: confirmDomain must be a function, not true'],
      [{ slots, port: 0, now: new Date(0) }, 'startAgent: now must be a function returning the current Date, not 1970-01-01T00:00:00.000Z'],
      // A misspelt name was dropped for its default: an agent that kept card data all the same.
      [
        { slots, port: 0, warmcache: false },
        'startAgent: "warmcache" is not an option (they are slots, trusted, port, confirmDomain, allowSha1, guardLastTry, warmCache, refuseSwappedCard, now)',
      ],
    ];
    for (const [options, message] of cases) {
      const refused = await startAgent(anyValue(options)).then(
        async (agent) => {
          await agent.close();
          return undefined;
        },
        (error: unknown) => error,
      );
      expect(refused, message).toBeInstanceOf(RangeError);
      expect((refused as Error).message).toBe(message);
    }
    await expect(startAgent({ slots, port: 0, trusted: anyValue('gov.example') })).rejects.toThrow(/^trusted origins must be a list/);
  });

  it('starts with what the types allow', async () => {
    const agent = await startAgent({ slots, port: 0, trusted: ['gov.example'] });
    try {
      expect(agent.port).toBeGreaterThan(0);
      expect(agent.trusted.isTrusted('https://gov.example')).toBe(true);
    } finally {
      await agent.close();
    }
  });
});

describe('EmulatorCardSlots', () => {
  // A missing reader was "Invalid value used as weak map key"; a reader that is not one made slots that failed
  // every page's request; card options of the wrong kind were read as none, or failed at the first request.
  it('refuses a reader that is not an EmulatorReader, and options that are not objects, naming them', () => {
    const reader = new EmulatorReader();
    const cases: [() => unknown, string][] = [
      [() => new EmulatorCardSlots(anyValue(undefined)), 'EmulatorCardSlots: reader must be an EmulatorReader (twpki/pcsc), not undefined (missing)'],
      [() => new EmulatorCardSlots(anyValue({})), 'EmulatorCardSlots: reader must be an EmulatorReader (twpki/pcsc), not an object'],
      [() => new EmulatorCardSlots(reader, anyValue(null)), 'card slots: cardOptions must be an object or left out, not null'],
      [() => new EmulatorCardSlots(reader, {}, anyValue('reset')), 'card slots: options must be an object or left out, not "reset"'],
    ];
    for (const [make, message] of cases) expect(make).toThrow(new RangeError(message));
    expect(new EmulatorCardSlots(reader, {}, { afterPin: 'leave' })).toBeInstanceOf(EmulatorCardSlots);
  });

  it('refuses card options HiCOSCard.open would refuse when made, not at every page request', () => {
    // `{ afterPin: 'leave' }` as the card options (the second argument, not the third): the slots were made, the
    // agent started, and every /pkcs11info and /sign then failed inside HiCOSCard.open as the execution error.
    const reader = new EmulatorReader();
    const cases: [unknown, string][] = [
      [
        { afterPin: 'leave' },
        'card slots: cardOptions: "afterPin" is not an option (they are pinPolicy, retryStore, pinTryLimit, scp03, allowSha1, enableStatusProbe; ' +
          "afterPin and commandTimeoutMs are the card slots' own options, the last argument)",
      ],
      [{ retryStore: {} }, 'card slots: cardOptions: retryStore must be a RetryCounterStore'],
    ];
    for (const [cardOptions, message] of cases) {
      let refused: unknown;
      try {
        new EmulatorCardSlots(reader, anyValue(cardOptions));
      } catch (error) {
        refused = error;
      }
      expect(refused, message).toMatchObject({ name: 'HiCOSError', code: 'INVALID_CARD_INPUT' });
      expect((refused as Error).message.startsWith(message), (refused as Error).message).toBe(true);
    }
    expect(new EmulatorCardSlots(reader, { pinTryLimit: 3, retryStore: undefined })).toBeInstanceOf(EmulatorCardSlots);
    // The PIN policy and try limit stay the card layer's to refuse when it opens a card (test/agent/early-pin-check).
  });
});
