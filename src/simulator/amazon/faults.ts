import type { Prng } from './prng.ts';

/**
 * Fault injection. A test queues faults (`inject`) that the next matching requests consume in order, or sets
 * probabilities (`setRates`) drawn from the simulator's seeded PRNG, so a run with the same seed and the same
 * request sequence sees the same faults.
 */
export type FaultKind =
  /** 429 QuotaExceeded, whatever the bucket says. */
  | 'throttle'
  /** 500 InternalFailure. */
  | 'server-error'
  /** 503 ServiceUnavailable. */
  | 'unavailable'
  /** Answer normally after `delayMs` (real milliseconds). */
  | 'slow'
  /** Never answer (until the simulator closes): a client timeout. */
  | 'hang'
  /** Answer 200 with a body that is not JSON. */
  | 'malformed';

export interface FaultSpec {
  readonly kind: FaultKind;
  /** Operation name (`orders.getOrder`), `lwa` for the token endpoint, `document` for presigned URLs, or `*`. */
  readonly operation?: string;
  /** How many matching requests get it (default 1). */
  readonly count?: number;
  /** For `slow`. */
  readonly delayMs?: number;
}

export interface FaultRates {
  readonly throttle?: number;
  readonly serverError?: number;
  readonly unavailable?: number;
}

interface QueuedFault {
  kind: FaultKind;
  operation: string;
  remaining: number;
  delayMs: number;
}

export class FaultInjector {
  readonly #queue: QueuedFault[] = [];
  #rates: FaultRates = {};
  readonly #prng: Prng;

  constructor(prng: Prng) {
    this.#prng = prng;
  }

  inject(spec: FaultSpec): void {
    this.#queue.push({
      kind: spec.kind,
      operation: spec.operation ?? '*',
      remaining: spec.count ?? 1,
      delayMs: spec.delayMs ?? 1_000,
    });
  }

  setRates(rates: FaultRates): void {
    this.#rates = { ...rates };
  }

  clear(): void {
    this.#queue.length = 0;
    this.#rates = {};
  }

  /** The fault for this request, if any; consumes one use of a queued fault. */
  next(operation: string): { kind: FaultKind; delayMs: number } | undefined {
    const index = this.#queue.findIndex((f) => f.operation === '*' || f.operation === operation);
    if (index >= 0) {
      const fault = this.#queue[index]!;
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.#queue.splice(index, 1);
      return { kind: fault.kind, delayMs: fault.delayMs };
    }
    if (operation === 'lwa' || operation === 'document') return undefined;
    const { throttle = 0, serverError = 0, unavailable = 0 } = this.#rates;
    if (throttle + serverError + unavailable === 0) return undefined;
    const draw = this.#prng.next();
    if (draw < throttle) return { kind: 'throttle', delayMs: 0 };
    if (draw < throttle + serverError) return { kind: 'server-error', delayMs: 0 };
    if (draw < throttle + serverError + unavailable) return { kind: 'unavailable', delayMs: 0 };
    return undefined;
  }
}
