/** Source of the current time; injected so expiry and business-day rules are testable. */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

/** The machine's wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to (tests, simulations). */
export class ManualClock implements Clock {
  private ms: number;

  /**
   * Starts at `start` (a Date or ISO string).
   * @throws RangeError when `start` is not a valid instant (a clock reading Invalid Date would make every deadline
   *   it stamps fail later, far from the mistake)
   */
  public constructor(start: Date | string) {
    this.ms = instantOf('ManualClock: start', start);
  }

  /** The clock's current instant. */
  public now(): Date {
    return new Date(this.ms);
  }

  /** Moves the clock forward by `ms` milliseconds. */
  public advance(ms: number): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new RangeError(`ManualClock.advance: ms must be a finite number, not ${String(ms)}`);
    this.ms += ms;
  }

  /**
   * Jumps to `to`.
   * @throws RangeError when `to` is not a valid instant
   */
  public set(to: Date | string): void {
    this.ms = instantOf('ManualClock.set: to', to);
  }
}

/** Milliseconds of `value`, a Date or a date string that parses. */
function instantOf(name: string, value: unknown): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    const shown = value instanceof Date ? 'an invalid Date' : typeof value === 'string' ? JSON.stringify(value) : typeof value;
    throw new RangeError(`${name} must be a Date or an ISO date string, not ${shown}`);
  }
  return ms;
}
