import { isSellbridgeError, SellbridgeError } from '../../core/errors.ts';

/**
 * A circuit breaker in front of one dependency (today: the Sage 500 gateway). After `failureThreshold`
 * consecutive failures (by default: errors of kind `unavailable`, which is how the gateways report a database
 * they cannot reach) the circuit opens and every call fails fast, without touching the dependency, with an
 * `unavailable` SellbridgeError carrying `retryAfterMs`: the job queue then runs the job again after that wait
 * WITHOUT spending an attempt. Once `openMs` has passed, one call goes through as a probe (half-open): success
 * closes the circuit, failure opens it for another `openMs`. Any other outcome (success, or an error that shows
 * the dependency answered, such as a rejected order) counts as "reachable" and resets the failure count.
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Metric label and error context, e.g. `sage500`. */
  readonly target: string;
  readonly failureThreshold: number;
  /** How long the circuit stays open before a probe. */
  readonly openMs: number;
  /** Milliseconds since the epoch (injected for tests). */
  readonly now?: () => number;
  /** Which errors count as the dependency being down; default: SellbridgeError of kind `unavailable`. */
  readonly isFailure?: (err: unknown) => boolean;
  /** The error code the fail-fast error carries (catalogued, kind unavailable); default SB_SAGE_UNAVAILABLE. */
  readonly openCode?: 'SB_SAGE_UNAVAILABLE' | 'SB_STORE_UNAVAILABLE' | 'SB_AMZ_UNAVAILABLE';
  readonly onStateChange?: (state: CircuitState, previous: CircuitState) => void;
  /**
   * After each call that reached the dependency (not a fail-fast one): `reachable` true when it answered (success,
   * or an error that is not a failure), false with the error when it counted as a failure. Must not throw.
   */
  readonly onOutcome?: (reachable: boolean, err?: unknown) => void;
}

export interface CircuitSnapshot {
  readonly target: string;
  readonly state: CircuitState;
  readonly consecutiveFailures: number;
  /** When an open circuit lets the next probe through (ISO), when open. */
  readonly probeAt: string | undefined;
}

export interface CircuitBreaker {
  readonly target: string;
  state(): CircuitState;
  snapshot(): CircuitSnapshot;
  /**
   * Runs `call` through the circuit; throws the fail-fast error while open. `onOutcome`, when given, hears this
   * call's outcome (as CircuitBreakerOptions.onOutcome hears every call's).
   */
  run<T>(call: () => Promise<T>, onOutcome?: (reachable: boolean, err?: unknown) => void): Promise<T>;
  /**
   * Throws the fail-fast error while the circuit is open and its probe is not yet due; once it is due, lets one
   * caller per open period through (the one that will probe). For work that would spend other resources (Amazon
   * rate tokens) before it reaches the guarded dependency.
   */
  ensureAvailable(): void;
}

/** Numeric state for the gauge `sellbridge_circuit_state{target}`: 0 closed, 1 half-open, 2 open. */
export const CIRCUIT_STATE_VALUE: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

export const isUnavailable = (err: unknown): boolean => isSellbridgeError(err) && err.kind === 'unavailable';

export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const now = options.now ?? Date.now;
  const isFailure = options.isFailure ?? isUnavailable;
  const threshold = Math.max(1, options.failureThreshold);
  let state: CircuitState = 'closed';
  let failures = 0;
  let openedAt = 0;
  let probing = false;
  /** Until when the caller that ensureAvailable let through for the probe has it (see ensureAvailable). */
  let probeTicketUntil = 0;

  const move = (next: CircuitState) => {
    if (next === state) return;
    const previous = state;
    state = next;
    options.onStateChange?.(next, previous);
  };
  const open = () => {
    openedAt = now();
    probeTicketUntil = 0;
    move('open');
  };
  const failFast = (retryAfterMs: number) =>
    new SellbridgeError(
      options.openCode ?? 'SB_SAGE_UNAVAILABLE',
      `${options.target} circuit is open after ${failures} consecutive failures; the job waits ${retryAfterMs} ms without spending an attempt`,
      {
        retryAfterMs,
        context: { circuit: options.target, state, consecutiveFailures: failures },
      },
    );

  return {
    target: options.target,
    state: () => state,
    snapshot: () => ({
      target: options.target,
      state,
      consecutiveFailures: failures,
      probeAt: state === 'open' ? new Date(openedAt + options.openMs).toISOString() : undefined,
    }),
    ensureAvailable() {
      if (state === 'closed') return;
      if (state === 'half-open' && probing) throw failFast(Math.max(1, Math.min(options.openMs, 1000)));
      if (state !== 'open') return;
      const t = now();
      const left = openedAt + options.openMs - t;
      if (left > 0) throw failFast(left);
      // The probe is due: let one caller through per open period (it will make the probe call); the others wait.
      if (t < probeTicketUntil) throw failFast(probeTicketUntil - t);
      probeTicketUntil = t + options.openMs;
    },
    async run(call, onCallOutcome) {
      let probe = false;
      if (state === 'open') {
        const left = openedAt + options.openMs - now();
        if (left > 0) throw failFast(left);
        move('half-open');
      }
      if (state === 'half-open') {
        // One probe at a time; the others wait as if still open (a short wait: the probe answers soon).
        if (probing) throw failFast(Math.max(1, Math.min(options.openMs, 1000)));
        probing = true;
        probe = true;
      }
      try {
        const result = await call();
        failures = 0;
        move('closed');
        options.onOutcome?.(true);
        onCallOutcome?.(true);
        return result;
      } catch (err) {
        if (isFailure(err)) {
          failures++;
          if (probe || failures >= threshold) open();
          options.onOutcome?.(false, err);
          onCallOutcome?.(false, err);
        } else {
          failures = 0;
          move('closed');
          options.onOutcome?.(true);
          onCallOutcome?.(true);
        }
        throw err;
      } finally {
        if (probe) probing = false;
      }
    },
  };
}

/**
 * Wraps every function property of `target` (methods returning promises) so each call runs through `breaker`;
 * the names in `bypass` (e.g. `close`) are passed through untouched.
 */
export function guardWithCircuit<T extends object>(
  target: T,
  breaker: CircuitBreaker,
  bypass: readonly string[] = ['close'],
): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string' || bypass.includes(prop)) return value;
      return (...args: unknown[]) =>
        breaker.run(() => (value as (...a: unknown[]) => Promise<unknown>).apply(obj, args));
    },
  });
}
