import { Injectable } from '@nestjs/common';

/** The current time, injectable so that expiry rules can be tested without waiting. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }

  /** now() in epoch milliseconds, for hot paths that need no Date object. */
  nowMs(): number {
    return Date.now();
  }
}
