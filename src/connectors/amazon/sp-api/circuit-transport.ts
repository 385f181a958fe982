import { SellbridgeError } from '../../../core/errors.ts';
import {
  createCircuitBreaker,
  type CircuitBreaker,
  type CircuitState,
} from '../../../runtime/circuit/circuit-breaker.ts';
import { HttpError } from './http-error.ts';
import type { SpApiTransport } from './http-client.ts';

/**
 * Circuit breakers in front of Amazon, one per endpoint family as the client groups its operations, and
 * one for Login with Amazon. Network errors, timeouts and 5xx are `transient`: without a circuit a 3-minute outage
 * spends every attempt of every order.sync and shipment.confirm it touches. With one, after `failureThreshold`
 * consecutive outage failures of a family its circuit opens and calls fail fast with SB_AMZ_UNAVAILABLE (kind
 * `unavailable`, `retryAfterMs`): the queue runs the job again after the wait without spending an attempt, and one
 * half-open probe per `openMs` tests Amazon again. The failure that opens the circuit, and a failed probe, are
 * rethrown as SB_AMZ_UNAVAILABLE as well, so only the first failures of an outage spend attempts.
 */
export const AMAZON_FAMILIES = [
  'lwa',
  'orders',
  'feeds',
  'reports',
  'listings',
  'inventory',
  'notifications',
  'finances',
  'other',
] as const;
export type AmazonFamily = (typeof AMAZON_FAMILIES)[number];

/** `<api>.<operationId>` (usage-plans.ts names) -> family; Orders 2026-01-01 and Orders v0 are one family. */
const FAMILY_OF_API: Readonly<Record<string, AmazonFamily>> = {
  lwa: 'lwa',
  orders: 'orders',
  ordersV0: 'orders',
  feeds: 'feeds',
  reports: 'reports',
  listings: 'listings',
  definitions: 'listings',
  fbaInventory: 'inventory',
  notifications: 'notifications',
  finances: 'finances',
};

export function amazonFamilyOf(operation: string): AmazonFamily {
  return FAMILY_OF_API[operation.slice(0, operation.indexOf('.') >>> 0)] ?? 'other';
}

/** Metric label and error context of a family's circuit, e.g. `amazon.orders`. */
export const amazonCircuitTarget = (family: AmazonFamily): string => `amazon.${family}`;

/** Amazon (or the path to it) is down: no answer, or a 5xx. A 429, a 4xx or a bad body shows Amazon answered. */
export function isAmazonOutage(err: unknown, family?: AmazonFamily): boolean {
  if (!(err instanceof HttpError) || (err.status !== 0 && err.status < 500)) return false;
  return family === undefined || amazonFamilyOf(err.operation) === family;
}

export interface AmazonCircuitsOptions {
  readonly failureThreshold: number;
  readonly openMs: number;
  readonly now?: () => number;
  readonly onStateChange?: (target: string, state: CircuitState, previous: CircuitState) => void;
  /** After each call that reached Amazon: answered (`reachable`) or an outage failure (see CircuitBreakerOptions). */
  readonly onOutcome?: (target: string, reachable: boolean, err?: unknown) => void;
}

export interface AmazonCircuits {
  get(family: AmazonFamily): CircuitBreaker;
  /** Every family's circuit, for the gauge sellbridge_circuit_state{target} and /readyz. */
  list(): readonly CircuitBreaker[];
}

export function createAmazonCircuits(options: AmazonCircuitsOptions): AmazonCircuits {
  const circuits = new Map<AmazonFamily, CircuitBreaker>(
    AMAZON_FAMILIES.map((family) => {
      const target = amazonCircuitTarget(family);
      return [
        family,
        createCircuitBreaker({
          target,
          failureThreshold: options.failureThreshold,
          openMs: options.openMs,
          openCode: 'SB_AMZ_UNAVAILABLE',
          isFailure: (err) => isAmazonOutage(err, family),
          ...(options.now ? { now: options.now } : {}),
          ...(options.onStateChange
            ? {
                onStateChange: (state: CircuitState, previous: CircuitState) =>
                  options.onStateChange!(target, state, previous),
              }
            : {}),
          ...(options.onOutcome
            ? { onOutcome: (reachable: boolean, err?: unknown) => options.onOutcome!(target, reachable, err) }
            : {}),
        }),
      ];
    }),
  );
  return { get: (family) => circuits.get(family)!, list: () => [...circuits.values()] };
}

/** Runs `call` through `breaker`; an outage failure that left the circuit open comes out as SB_AMZ_UNAVAILABLE. */
async function throughCircuit<T>(
  breaker: CircuitBreaker,
  options: Pick<AmazonCircuitsOptions, 'openMs'>,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await breaker.run(call);
  } catch (err) {
    if (err instanceof HttpError && isAmazonOutage(err) && breaker.state() === 'open') {
      throw new SellbridgeError(
        'SB_AMZ_UNAVAILABLE',
        `${breaker.target} circuit opened: ${err.message}; the job waits ${options.openMs} ms without spending an attempt`,
        {
          retryAfterMs: options.openMs,
          context: { circuit: breaker.target, operation: err.operation, status: err.status },
          cause: err,
        },
      );
    }
    throw err;
  }
}

/** The SP-API transport behind its family's circuit (outside the rate-limit layer: an open circuit takes no token). */
export function withCircuits(
  transport: SpApiTransport,
  circuits: AmazonCircuits,
  options: Pick<AmazonCircuitsOptions, 'openMs'>,
): SpApiTransport {
  return {
    send: (request) =>
      throughCircuit(circuits.get(amazonFamilyOf(request.operation)), options, () => transport.send(request)),
  };
}

/**
 * For the LWA token source's `around` option: each token REQUEST (not a cached token) goes through the `lwa`
 * circuit, so an LWA outage does not stop calls while a cached token is still valid.
 */
export function lwaCircuitAround(
  circuits: AmazonCircuits,
  options: Pick<AmazonCircuitsOptions, 'openMs'>,
): <T>(call: () => Promise<T>) => Promise<T> {
  const breaker = circuits.get('lwa');
  return (call) => throughCircuit(breaker, options, call);
}

/**
 * Retries a GET that met an outage answer (network error, timeout, 5xx) up to `retries` more times after short
 * waits, inside one job attempt. Reads are safe to repeat; a POST is not retried here (shipment.confirm reads the
 * order first after an unknown outcome). Without it, scattered 5xx (a fifth of the calls in the chaos run) spend the
 * attempts of a job that makes several calls per attempt, and a few such jobs were dead-lettered. Sits
 * below the circuit (a retried call counts once) and above the rate-limit layer (each try takes a token).
 */
export function withReadRetries(
  transport: SpApiTransport,
  options: { readonly retries: number; readonly baseDelayMs: number; readonly sleep: (ms: number) => Promise<void> },
): SpApiTransport {
  return {
    async send(request) {
      for (let attempt = 0; ; attempt++) {
        try {
          return await transport.send(request);
        } catch (err) {
          if (request.method !== 'GET' || attempt >= options.retries || !isAmazonOutage(err) || request.signal?.aborted)
            throw err;
          await options.sleep(options.baseDelayMs * 2 ** attempt);
        }
      }
    },
  };
}
