import { describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitOpenError, type CircuitState } from './circuit-breaker.js';

function setup() {
  let now = 0;
  const changes: CircuitState[] = [];
  const breaker = new CircuitBreaker({
    failureThreshold: 3,
    cooldownMs: 1_000,
    now: () => now,
    onStateChange: (state) => changes.push(state),
  });
  return { breaker, changes, advance: (ms: number) => (now += ms) };
}

const ok = () => Promise.resolve('ok');
const boom = () => Promise.reject(new Error('connection refused'));

describe('CircuitBreaker', () => {
  it('passes calls while closed and opens after the threshold of consecutive failures', async () => {
    const { breaker, changes } = setup();
    await expect(breaker.run(ok)).resolves.toBe('ok');
    await expect(breaker.run(boom)).rejects.toThrow('connection refused');
    await expect(breaker.run(boom)).rejects.toThrow('connection refused');
    expect(breaker.state).toBe('closed');
    await expect(breaker.run(boom)).rejects.toThrow('connection refused');
    expect(breaker.state).toBe('open');
    expect(changes).toEqual(['open']);
  });

  it('a success in between resets the count: only consecutive failures open it', async () => {
    const { breaker } = setup();
    await expect(breaker.run(boom)).rejects.toThrow();
    await expect(breaker.run(boom)).rejects.toThrow();
    await breaker.run(ok);
    await expect(breaker.run(boom)).rejects.toThrow();
    await expect(breaker.run(boom)).rejects.toThrow();
    expect(breaker.state).toBe('closed');
  });

  it('refuses calls without running them while open', async () => {
    const { breaker } = setup();
    for (let i = 0; i < 3; i++) await expect(breaker.run(boom)).rejects.toThrow();
    let ran = false;
    await expect(
      breaker.run(async () => {
        ran = true;
      }),
    ).rejects.toBeInstanceOf(CircuitOpenError);
    expect(ran).toBe(false);
  });

  it('lets one trial through after the cooldown; its success closes the circuit', async () => {
    const { breaker, changes, advance } = setup();
    for (let i = 0; i < 3; i++) await expect(breaker.run(boom)).rejects.toThrow();
    advance(999);
    await expect(breaker.run(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    advance(1);
    expect(breaker.state).toBe('half-open');
    let release!: () => void;
    const trial = breaker.run(() => new Promise<string>((resolve) => (release = () => resolve('ok'))));
    // Only one trial at a time: a second caller is refused while it runs.
    await expect(breaker.run(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    release();
    await expect(trial).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('a failed trial opens the circuit for another cooldown', async () => {
    const { breaker, advance } = setup();
    for (let i = 0; i < 3; i++) await expect(breaker.run(boom)).rejects.toThrow();
    advance(1_000);
    await expect(breaker.run(boom)).rejects.toThrow('connection refused');
    expect(breaker.state).toBe('open');
    advance(500);
    await expect(breaker.run(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    advance(500);
    await expect(breaker.run(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });
});
