/**
 * SP-API simulator: an HTTP app that speaks Amazon's official paths and shapes (Orders 2026-01-01, Orders v0
 * confirmShipment, LWA, and more), enforces usage plans with a time scale, injects faults from a seeded PRNG,
 * and generates realistic orders. It is a sandbox component: it never imports the Amazon client
 * (src/connectors/amazon), so that the conformance suite checks two independent readings of the models.
 *
 * ```ts
 * const sim = await createAmazonSimulator({ seed: 7, orders: 20, timeScale: 100 });
 * // point the client at sim.url (SP-API base URL and LWA endpoint `${sim.url}/auth/o2/token`)
 * sim.control.injectFault({ kind: 'throttle', operation: 'orders.getOrder' });
 * await sim.close();
 * ```
 */
import { buildSimulatorApp } from './app.ts';
import { createControl, type SimulatorControl } from './control.ts';
import { SimulatorState } from './state.ts';
import type { SimRegion } from './marketplaces.ts';
import type { SimulatorOptions } from './types.ts';

export { buildSimulatorApp } from './app.ts';
export { SIMULATED_OPERATIONS, type SimulatedOperation } from './operations.ts';
export { DEFAULT_SELLER, SIM_APPLICATION_ID } from './state.ts';
export type { Exchange, PublishedNotification, SimSeller, SimulatorOptions } from './types.ts';
export type { SimulatorControl } from './control.ts';
export type { FaultKind, FaultSpec, FaultRates } from './faults.ts';
export type { NotificationFaults } from './notifications.ts';
export type { DocumentFault } from './documents.ts';
export type { SimListing } from './listings.ts';
export type { SettlementReportOptions } from './routes/reports.ts';
export { SETTLEMENT_COLUMNS } from './settlement.ts';
export type { CatalogItem, FulfillmentStatus, OrderOverrides, SimOrder, SimOrderItem } from './scenario.ts';
export { DEFAULT_SKUS } from './scenario.ts';
export { MARKETPLACES as SIM_MARKETPLACES, SIM_REGIONS, regionOfMarketplace, type SimRegion } from './marketplaces.ts';

export interface AmazonSimulator {
  /** Base URL, e.g. `http://127.0.0.1:41234` (SP-API paths and `/auth/o2/token` hang off it). */
  readonly url: string;
  /**
   * The regional endpoints, Amazon's sellingpartnerapi-na/-eu/-fe: `<url>/na`, `<url>/eu`, `<url>/fe`. A seller's
   * calls are answered at its own region's endpoint only; `url` itself answers every region (as before regions).
   */
  readonly endpoints: Readonly<Record<SimRegion, string>>;
  readonly control: SimulatorControl;
  close(): Promise<void>;
}

export interface ListenOptions {
  readonly port?: number;
  readonly host?: string;
}

/** Starts the simulator on `127.0.0.1` and a random port (or the given one). */
export async function createAmazonSimulator(options: SimulatorOptions & ListenOptions = {}): Promise<AmazonSimulator> {
  const state = new SimulatorState(options);
  const app = buildSimulatorApp(options, state);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    endpoints: { na: `${url}/na`, eu: `${url}/eu`, fe: `${url}/fe` },
    control: createControl(state, () => url),
    close: async () => {
      await app.close();
    },
  };
}

/** For `buildSimulatorApp` users: the control handle of an app built without listening. */
export function controlOf(app: ReturnType<typeof buildSimulatorApp>): SimulatorControl {
  return createControl(app.sim);
}
