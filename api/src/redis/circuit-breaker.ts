export type CircuitState = 'closed' | 'open' | 'half-open';

/** Thrown instead of calling a dependency the breaker considers down. */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
}

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit refuses calls before it lets one trial call through. */
  cooldownMs: number;
  /** Milliseconds since some epoch; injectable so tests move time by hand. */
  now?: () => number;
  onStateChange?: (state: CircuitState, cause?: unknown) => void;
}

/**
 * A small circuit breaker: closed (calls pass) → open after `failureThreshold` consecutive
 * failures (calls fail at once, so a dead dependency costs requests nothing) → half-open
 * after `cooldownMs` (exactly one trial call passes; its success closes the circuit, its
 * failure opens it for another cooldown).
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private trialRunning = false;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The state as a caller would find it now: an open circuit whose cooldown passed is half-open. */
  get state(): CircuitState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.options.cooldownMs) return 'half-open';
    return this.current;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    const trial = this.admit();
    try {
      const result = await work();
      this.succeeded();
      return result;
    } catch (error) {
      this.failed(error);
      throw error;
    } finally {
      if (trial) this.trialRunning = false;
    }
  }

  /** Throws CircuitOpenError when the call may not pass; returns whether it is the trial call. */
  private admit(): boolean {
    const state = this.state;
    if (state === 'closed') return false;
    if (state === 'half-open' && !this.trialRunning) {
      this.change('half-open');
      this.trialRunning = true;
      return true;
    }
    throw new CircuitOpenError('Circuit open: the dependency failed recently');
  }

  private succeeded(): void {
    this.failures = 0;
    if (this.current !== 'closed') this.change('closed');
  }

  private failed(error: unknown): void {
    this.failures += 1;
    if (this.current === 'half-open' || (this.current === 'closed' && this.failures >= this.options.failureThreshold)) {
      this.openedAt = this.now();
      this.change('open', error);
    }
  }

  private change(state: CircuitState, cause?: unknown): void {
    if (this.current === state) return;
    this.current = state;
    this.options.onStateChange?.(state, cause);
  }
}
