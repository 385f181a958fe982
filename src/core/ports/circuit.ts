/** A circuit breaker in front of a system (Sage 500): a flow asks it first, so it waits instead of failing half-way. */
export interface Circuit {
  /** Throws an `unavailable` SellbridgeError (the job waits, no attempt spent) while the circuit is open. */
  ensureAvailable(): void;
}
