import { Clock } from '../src/common/clock.js';

/** A clock tests move by hand, so expiry is tested without waiting. */
export class FakeClock extends Clock {
  private current: number;

  constructor(start = Date.now()) {
    super();
    this.current = start;
  }

  override now(): Date {
    return new Date(this.current);
  }

  override nowMs(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
