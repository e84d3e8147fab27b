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

  /** Starts at `start` (a Date or ISO string). */
  public constructor(start: Date | string) {
    this.ms = new Date(start).getTime();
  }

  /** The clock's current instant. */
  public now(): Date {
    return new Date(this.ms);
  }

  /** Moves the clock forward by `ms` milliseconds. */
  public advance(ms: number): void {
    this.ms += ms;
  }

  /** Jumps to `to`. */
  public set(to: Date | string): void {
    this.ms = new Date(to).getTime();
  }
}
