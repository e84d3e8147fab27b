/**
 * ManualClock given what a test harness may hand it. `new Date('garbage')` is an Invalid Date, so a clock started or
 * set with an unparsable string read Invalid Date from then on, and every deadline the flows stamped with it failed
 * later, far from the mistake. Refused at once, naming the argument.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/enroll/index.js';

describe('ManualClock', () => {
  it('refuses a start or a jump that is no instant, and keeps its time', () => {
    expect(() => new ManualClock('garbage')).toThrow(new RangeError('ManualClock: start must be a Date or an ISO date string, not "garbage"'));
    expect(() => new ManualClock(new Date(Number.NaN))).toThrow(new RangeError('ManualClock: start must be a Date or an ISO date string, not an invalid Date'));
    expect(() => new ManualClock(undefined as never)).toThrow(new RangeError('ManualClock: start must be a Date or an ISO date string, not undefined'));
    const clock = new ManualClock('2026-01-02T03:04:05Z');
    expect(() => clock.set('2026-13-45')).toThrow(new RangeError('ManualClock.set: to must be a Date or an ISO date string, not "2026-13-45"'));
    expect(() => clock.advance(Number.NaN)).toThrow(new RangeError('ManualClock.advance: ms must be a finite number, not NaN'));
    expect(clock.now().toISOString()).toBe('2026-01-02T03:04:05.000Z');
  });

  it('moves as told', () => {
    const clock = new ManualClock(new Date('2026-01-02T00:00:00+08:00'));
    clock.advance(1_500);
    expect(clock.now().toISOString()).toBe('2026-01-01T16:00:01.500Z');
    clock.set('2027-02-03T04:05:06.007Z');
    expect(clock.now().toISOString()).toBe('2027-02-03T04:05:06.007Z');
  });
});
