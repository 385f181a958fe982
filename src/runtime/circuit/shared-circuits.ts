import {
  createCircuitBreaker,
  type CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitState,
} from './circuit-breaker.ts';

/**
 * The process's circuits that several users share, one per key (issue 21: one Sage circuit per Sage server, shared by
 * every connection whose company is on that server). The first user of a key creates the circuit with its options;
 * later users of the key get the same circuit (their own failure threshold and open time are not used). Each user
 * hears every state change of the shared circuit, and the outcomes of its own calls, through its own listener (its
 * metrics, logs and engine status), and releases its lease when it goes; the circuit is forgotten when its last user released it, so a
 * connection added later on that server starts with a closed circuit.
 */
export interface CircuitListener {
  onStateChange?(state: CircuitState, previous: CircuitState): void;
  /**
   * After each of this user's calls through `lease.circuit` that reached the dependency (see
   * CircuitBreakerOptions.onOutcome); must not throw. Only its own: a state change is everyone's news, but handing
   * every call's outcome to every user would make each Sage call cost as much as the server has connections.
   */
  onOutcome?(reachable: boolean, err?: unknown): void;
}

export interface CircuitLease {
  readonly key: string;
  /** The shared circuit, seen by this user: its calls' outcomes go to this user's listener. */
  readonly circuit: CircuitBreaker;
  /** The settings the circuit was created with (its first user's). */
  readonly settings: { readonly failureThreshold: number; readonly openMs: number };
  /** How many users hold the circuit now (this one included, until released). */
  users(): number;
  /** This user is done with the circuit (idempotent). */
  release(): void;
}

export interface SharedCircuits {
  acquire(
    key: string,
    options: Omit<CircuitBreakerOptions, 'onStateChange' | 'onOutcome'>,
    listener: CircuitListener,
  ): CircuitLease;
  /** The keys with a circuit now (tests, diagnostics). */
  keys(): readonly string[];
}

const behind = new WeakMap<CircuitBreaker, CircuitBreaker>();
/** The shared circuit behind a user's view of it (itself for any other circuit): which users share one (tests). */
export const circuitBehind = (circuit: CircuitBreaker): CircuitBreaker => behind.get(circuit) ?? circuit;

export function createSharedCircuits(): SharedCircuits {
  const circuits = new Map<
    string,
    { circuit: CircuitBreaker; listeners: Set<CircuitListener>; settings: CircuitLease['settings'] }
  >();
  return {
    acquire(key, options, listener) {
      let entry = circuits.get(key);
      if (!entry) {
        const listeners = new Set<CircuitListener>();
        const circuit = createCircuitBreaker({
          ...options,
          onStateChange: (state, previous) => {
            for (const l of [...listeners]) l.onStateChange?.(state, previous);
          },
        });
        entry = {
          circuit,
          listeners,
          settings: { failureThreshold: options.failureThreshold, openMs: options.openMs },
        };
        circuits.set(key, entry);
      }
      const held = entry;
      held.listeners.add(listener);
      let released = false;
      const shared = held.circuit;
      const onOutcome = listener.onOutcome?.bind(listener);
      const circuit: CircuitBreaker = {
        target: shared.target,
        state: () => shared.state(),
        snapshot: () => shared.snapshot(),
        ensureAvailable: () => shared.ensureAvailable(),
        run: (call, onCallOutcome) =>
          shared.run(
            call,
            onOutcome && onCallOutcome
              ? (reachable, err) => {
                  onOutcome(reachable, err);
                  onCallOutcome(reachable, err);
                }
              : (onOutcome ?? onCallOutcome),
          ),
      };
      behind.set(circuit, shared);
      return {
        key,
        circuit,
        settings: held.settings,
        users: () => held.listeners.size,
        release() {
          if (released) return;
          released = true;
          held.listeners.delete(listener);
          if (held.listeners.size === 0 && circuits.get(key) === held) circuits.delete(key);
        },
      };
    },
    keys: () => [...circuits.keys()],
  };
}
