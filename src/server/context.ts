import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import type { ResolvedConfig } from '../config/schema.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { DoctorReport } from '../core/model/doctor-report.ts';
import type { MappingRules } from '../core/rules/mapping-rules.ts';
import type { OrderFlowDeps } from '../flows/index.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { AgentRegistry } from '../runtime/agents/registry.ts';
import type { AuthService } from '../runtime/auth/auth-service.ts';
import type { PiiVault } from '../runtime/pii/vault.ts';
import type { AmazonAuthorization } from '../runtime/onboarding/amazon-authorization.ts';
import type { DeadLetterService } from '../runtime/queue/dead-letters.ts';
import type { JobQueue } from '../runtime/queue/job-queue.ts';
import type { Store } from '../runtime/store/store.ts';
import type { RouteRegistry } from './http/define.ts';
import type { WebhookDeps } from './routes/webhooks.ts';
import type { Throughput } from './throughput.ts';

/** A health probe of one connection (Sage, Amazon): `lastSyncAt` is when it last did useful work, if known. */
export type HealthProbe = () => Promise<{ ok: boolean; detail?: string; lastSyncAt?: string | null }>;

/** What the order endpoints can do beyond reading the store, when the order flows are wired (see `createOrderFlowDeps`). */
export interface AdminOrderFlow {
  /** The Sage sales order Sellbridge would create for an Amazon order, without creating it. */
  preview(connectionId: string, amazonOrderId: string): Promise<unknown>;
}

/** One connection as the registry shows it (issue 21). */
export interface ConnectionStatusView {
  readonly id: string;
  readonly origin: 'config' | 'api';
  readonly state: 'active' | 'paused' | 'failed';
  readonly reason: string | null;
  readonly running: boolean;
  readonly sellerId: string | null;
  readonly region: string | null;
  readonly marketplaceIds: readonly string[];
  readonly sageCompanyId: string | null;
  /** `sage500.kind` (sandbox, sqlserver, agent: hosted mode, reached through its agent). */
  readonly sageKind?: string | null;
}

/** The running connections (the runtime's `connections`): add, pause, resume, remove while the engine runs. */
export interface ConnectionsControl {
  list(): Promise<readonly ConnectionStatusView[]>;
  add(
    input: {
      id: string;
      name?: string;
      amazon?: object;
      sage500?: object;
      orders?: object;
      inventory?: object;
      settlements?: object;
    },
    actor: string,
  ): Promise<ConnectionStatusView>;
  pause(id: string, reason: string | null, actor: string): Promise<ConnectionStatusView>;
  resume(id: string, actor: string): Promise<ConnectionStatusView>;
  remove(id: string, actor: string): Promise<void>;
  /** The other connection holding `prefix` in connection `id`'s Sage company (TranNo prefixes are one per company). */
  tranNoPrefixHolder?(id: string, prefix: string): Promise<string | undefined>;
  /** The engine this process runs for a connection (its own Sage gateway and configured mapping), if any. */
  engine?(id: string):
    | {
        readonly sage: Sage500Gateway;
        readonly orders: { readonly rules: MappingRules };
        /** Its configuration (the inventory and settlement sections the sync edit kinds lay their edits over). */
        readonly config?: Pick<ResolvedConfig, 'inventory' | 'settlements'> & Partial<Pick<ResolvedConfig, 'amazon'>>;
      }
    | undefined;
}

export interface AppDeps {
  /** The connection registry of the runtime (issue 21); without it the add/pause/resume/remove routes answer 501. */
  readonly connections?: ConnectionsControl;
  readonly store: Store;
  readonly queue: JobQueue;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Bootstrap bearer token with the admin role (config server.adminToken); undefined = only stored tokens/users. */
  readonly adminToken: string | undefined;
  readonly clock?: Clock;
  /** Default: created over `store` and `queue`. */
  readonly deadLetters?: DeadLetterService;
  /** Default: created over `store` with `security` settings. */
  readonly auth?: AuthService;
  readonly server?: Partial<ResolvedConfig['server']>;
  readonly security?: Partial<ResolvedConfig['security']>;
  /** Encrypted buyer PII; without it the PII endpoints answer 501. */
  readonly pii?: PiiVault;
  /** Order preview; without it (and without `orders`) /orders/:id/preview answers 501. */
  readonly orderFlow?: AdminOrderFlow;
  /** The runtime's order wiring: gives the preview, the mapping rules and the default connection. */
  readonly orders?: { readonly deps: OrderFlowDeps; readonly connectionId: string; readonly rules?: MappingRules };
  /** Mapping rules of a connection (carriers, ship methods, customers), shown read-only. */
  readonly mappingRules?: (connectionId: string) => MappingRules;
  /** GL rules of the settlement posting, shown read-only when given. */
  readonly glRules?: () => unknown;
  /** Health of the Sage and Amazon connections for /readyz and the overview. */
  readonly health?: { readonly sage?: HealthProbe; readonly amazon?: HealthProbe };
  /** Circuit-breaker states, when a circuit registry exists. */
  readonly circuits?: () => readonly { target: string; state: string }[];
  /** The connection used when a request names none (default `default`). */
  readonly defaultConnectionId?: string;
  /** POST /webhooks/amazon, with its own credentials; absent = no webhook route. */
  readonly webhooks?: WebhookDeps;
  /** Hosted mode's agents (enrolment, list, revoke); absent = the agent routes answer 501. */
  readonly agents?: AgentRegistry;
  /** Sage's sales orders, for the settlements' three-way reconciliation (the runtime's gateway); absent = 501. */
  readonly sage?: Pick<Sage500Gateway, 'salesOrderTotalsOf'> &
    Partial<Pick<Sage500Gateway, 'invoicesOfOrders'>> &
    // Mapping edits are checked against the Sage company before they are saved (routes/connection-mappings.ts).
    Partial<
      Pick<
        Sage500Gateway,
        | 'resolveCustomers'
        | 'resolveWarehouses'
        | 'resolveShipMethods'
        | 'resolveItems'
        | 'listItems'
        | 'validateGlAccounts'
      >
    >;
  /** The connection ids this process serves (route param checks); default: the default connection only. */
  readonly connectionIds?: () => readonly string[];
  /** settlements.accountingModel: under `invoiced-orders` the three-way reconciliation reads Sage's invoices. */
  readonly accountingModel?: 'invoiced-orders' | 'settlement-revenue';
  /**
   * The `sellbridge doctor` report for GET /api/v1/doctor and the dashboard's Health check page; absent = 501. With a
   * connection id, that connection's report alone (undefined when this configuration has no such connection).
   */
  readonly doctor?: (connection?: string) => Promise<DoctorReport | undefined>;
  /**
   * Onboarding a seller (issue 21): Amazon's authorization workflow (POST /api/v1/connections/:id/authorize, GET
   * /oauth/amazon/callback) and the Connections page's health; absent = those routes answer 501.
   */
  readonly onboarding?: {
    readonly authorization: AmazonAuthorization;
    /** Whether sellbridge.yaml sets a refresh token for the connection (it wins over a stored one). */
    readonly tokenConfigured: (connectionId: string) => boolean;
    /** `sellbridge connections check` for the connection, or undefined when this process cannot run it. */
    readonly check?: (connectionId: string) => Promise<{ ok: boolean; summary: string; checkedAt: string } | null>;
  };
  /** The runtime's configuration, of which the order routes read `orders.shipByWarningMs` (default 24 h). */
  readonly config?: { readonly orders?: { readonly shipByWarningMs?: number } };
}

/** Everything a route module needs, resolved once. */
export interface ServerContext extends AppDeps {
  readonly clock: Clock;
  readonly deadLetters: DeadLetterService;
  readonly auth: AuthService;
  readonly throughput: Throughput;
  readonly routes: RouteRegistry;
  readonly settings: {
    readonly behindTls: boolean;
    readonly sessionTtlMs: number;
    readonly authRateLimitPerMinute: number;
    readonly piiViewRole: 'viewer' | 'operator' | 'admin';
    readonly corsOrigins: readonly string[];
  };
  readonly connectionId: string;
}
