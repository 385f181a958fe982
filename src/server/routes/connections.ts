import { z } from 'zod';
import { writeAudit } from '../../runtime/audit.ts';
import { SellbridgeError } from '../../core/errors.ts';
import { storeConnectionRegistry, type ConnectionRecord } from '../../connectors/store/connection-registry.ts';
import type { ConnectionsControl } from '../context.ts';
import type { ServerContext } from '../context.ts';

const Connection = z.object({
  id: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  settings: z.record(z.string(), z.unknown()),
  credentials: z
    .object({ names: z.array(z.string()), updatedAt: z.string().nullable() })
    .describe('Which credentials are set; their values are never returned'),
  createdAt: z.string(),
  updatedAt: z.string(),
  origin: z.enum(['config', 'api']).optional().describe('config: sellbridge.yaml; api: added while running'),
  state: z
    .enum(['active', 'paused', 'failed'])
    .optional()
    .describe('paused or failed (its connections check): schedules stopped, jobs wait with `reason`'),
  reason: z.string().nullable().optional(),
  running: z.boolean().optional().describe('whether this process runs its engine'),
  sellerId: z.string().nullable().optional(),
  region: z.string().nullable().optional(),
  marketplaceIds: z.array(z.string()).optional(),
  sageCompanyId: z.string().nullable().optional(),
  sageKind: z
    .string()
    .nullable()
    .optional()
    .describe('agent: hosted mode, its Sage reached through its own agent (GET /api/v1/agents)'),
});

const ConnectionStatus = z.object({
  id: z.string(),
  origin: z.enum(['config', 'api']),
  state: z.enum(['active', 'paused', 'failed']),
  reason: z.string().nullable(),
  running: z.boolean(),
  sellerId: z.string().nullable(),
  region: z.string().nullable(),
  marketplaceIds: z.array(z.string()),
  sageCompanyId: z.string().nullable(),
  sageKind: z.string().nullable().optional(),
});

const ConnectionIdParam = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, _ and - (at most 40)'),
});

/** SB_CONNECTION_INVALID with each problem, as the runtime's add throws it. */
class ConnectionInputRefused extends SellbridgeError {
  readonly problems: readonly { path: string; problem: string }[];
  constructor(id: string, problems: readonly { path: string; problem: string }[]) {
    super(
      'SB_CONNECTION_INVALID',
      `connection ${id} refused: ${problems.map((p) => `${p.path}: ${p.problem}`).join('; ')}`,
      {
        context: { connectionId: id },
      },
    );
    this.problems = problems;
  }
}

/** A refused connection (SB_CONNECTION_INVALID): 400 with each problem's path; anything else is rethrown. */
const refused = (err: unknown, reply: { code(n: number): { send(b: unknown): unknown } }) => {
  const problems = (err as { problems?: readonly { path: string; problem: string }[] }).problems;
  if ((err as { code?: string }).code !== 'SB_CONNECTION_INVALID' || !problems) throw err;
  return reply.code(400).send({
    error: (err as Error).message,
    code: 'SB_CONNECTION_INVALID',
    issues: problems.map((p) => ({ in: 'body', field: p.path, problem: p.problem })),
  });
};

const CredentialName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'a credential name like lwaClientSecret');

export function registerConnectionRoutes(ctx: ServerContext): void {
  const { routes } = ctx;
  const view = async (r: {
    id: string;
    name: string;
    enabled: number;
    settings: string;
    created_at: string;
    updated_at: string;
  }) => {
    const secrets = ctx.pii ? await ctx.pii.listSecrets(`connection:${r.id}`) : [];
    return {
      id: r.id,
      name: r.name,
      enabled: Number(r.enabled) === 1,
      settings: JSON.parse(r.settings) as Record<string, unknown>,
      credentials: {
        names: secrets.map((s) => s.name),
        updatedAt:
          secrets
            .map((s) => s.updatedAt)
            .sort()
            .pop() ?? null,
      },
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  };

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/connections',
      role: 'viewer',
      tag: 'connections',
      summary: 'Connections (one Sage company + one seller account); credentials are write-only',
      response: z.object({ connections: z.array(Connection) }),
    },
    async () => {
      // The running registry first (it records the configured connections and applies stored changes), then the rows.
      const live = new Map((ctx.connections ? await ctx.connections.list() : []).map((v) => [v.id, v]));
      const rows = await ctx.store.db.selectFrom('connections').selectAll().orderBy('id').execute();
      const connections = [];
      for (const r of rows) {
        const v = live.get(r.id);
        connections.push({
          ...(await view(r)),
          origin: r.origin === 'api' ? ('api' as const) : ('config' as const),
          state: v?.state ?? (r.state === 'paused' ? ('paused' as const) : ('active' as const)),
          reason: v?.reason ?? r.reason,
          ...(v
            ? {
                running: v.running,
                sellerId: v.sellerId,
                region: v.region,
                marketplaceIds: [...v.marketplaceIds],
                sageCompanyId: v.sageCompanyId,
                sageKind: v.sageKind,
              }
            : {}),
        });
      }
      return { connections };
    },
  );

  routes.add(
    {
      method: 'PUT',
      url: '/api/v1/connections/:id',
      role: 'admin',
      tag: 'connections',
      summary:
        'Create or update a connection; `credentials` are sealed with the PII key and never returned; audited (names only)',
      params: z.strictObject({
        id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, _ and -'),
      }),
      body: z.strictObject({
        name: z.string().trim().min(1).max(200).optional(),
        enabled: z.boolean().optional(),
        settings: z
          .record(z.string(), z.unknown())
          .optional()
          .describe('Region, marketplaces, Sage company: no secrets here'),
        credentials: z
          .record(CredentialName, z.string().min(1).max(4096))
          .optional()
          .describe('Write-only secrets, e.g. {"refreshToken": "..."}'),
      }),
      response: z.object({ connection: Connection }),
      statuses: { 501: 'credentials given but no key is configured to seal them' },
    },
    async ({ params, body, principal, reply }) => {
      if (body.credentials && !ctx.pii)
        return reply.code(501).send({
          error: 'cannot store credentials: no encryption key is configured (security.piiKeys or security.piiKeyFile)',
        });
      const at = ctx.clock.now().toISOString();
      const existing = await ctx.store.db
        .selectFrom('connections')
        .selectAll()
        .where('id', '=', params.id)
        .executeTakeFirst();
      const settingsJson = JSON.stringify(
        body.settings ?? (existing ? (JSON.parse(existing.settings) as unknown) : {}),
      );
      if (/secret|password|token/i.test(Object.keys(body.settings ?? {}).join(','))) {
        return reply.code(400).send({
          error: 'invalid request: body settings: secrets belong in credentials (write-only), not in settings',
          issues: [{ in: 'body', field: 'settings', problem: 'contains a secret-looking key; send it in credentials' }],
        });
      }
      if (existing) {
        await ctx.store.db
          .updateTable('connections')
          .set({
            name: body.name ?? existing.name,
            enabled: body.enabled === undefined ? existing.enabled : body.enabled ? 1 : 0,
            settings: settingsJson,
            updated_at: at,
          })
          .where('id', '=', params.id)
          .execute();
      } else {
        await ctx.store.db
          .insertInto('connections')
          .values({
            id: params.id,
            name: body.name ?? params.id,
            enabled: body.enabled === false ? 0 : 1,
            settings: settingsJson,
            created_at: at,
            updated_at: at,
          })
          .execute();
      }
      for (const [name, value] of Object.entries(body.credentials ?? {}))
        await ctx.pii!.putSecret(`connection:${params.id}`, name, value, principal.actor);
      await writeAudit(
        ctx.store.db,
        {
          actor: principal.actor,
          action: existing ? 'connection.update' : 'connection.create',
          target: `connection:${params.id}`,
          detail: {
            fields: Object.keys(body).filter((k) => k !== 'credentials'),
            credentialNames: Object.keys(body.credentials ?? {}),
          },
        },
        ctx.clock.now(),
      );
      const row = await ctx.store.db
        .selectFrom('connections')
        .selectAll()
        .where('id', '=', params.id)
        .executeTakeFirstOrThrow();
      return { connection: await view(row) };
    },
  );

  // Without a runtime (a bare buildApp) pause, resume and remove act on the registry in the store, which every
  // worker reads within a few seconds; adding needs the runtime's check against the Sage company.
  const registry = storeConnectionRegistry(ctx.store, ctx.clock);
  const fromRow = (r: ConnectionRecord): z.infer<typeof ConnectionStatus> => ({
    id: r.id,
    origin: r.origin,
    state: r.state,
    reason: r.reason,
    running: false,
    sellerId: null,
    region: null,
    marketplaceIds: [],
    sageCompanyId: null,
  });
  const notFound = (id: string) =>
    new SellbridgeError('SB_CONNECTION_NOT_FOUND', `no connection ${id}`, { context: { connectionId: id } });
  const control = (): ConnectionsControl =>
    ctx.connections ?? {
      list: async () => (await registry.list()).map(fromRow),
      add: (input) =>
        Promise.reject(
          new ConnectionInputRefused(input.id, [
            {
              path: 'id',
              problem:
                'this server runs no engine to check the connection against its Sage company: add it through `sellbridge run` or `sellbridge connections add`',
            },
          ]),
        ),
      async pause(id, reason, actor) {
        const r = await registry.setState(id, 'paused', reason ?? `paused by ${actor}`, actor);
        if (!r) throw notFound(id);
        return fromRow(r);
      },
      async resume(id, actor) {
        const r = await registry.setState(id, 'active', null, actor);
        if (!r) throw notFound(id);
        return fromRow(r);
      },
      async remove(id, actor) {
        const r = await registry.get(id);
        if (!r) throw notFound(id);
        if (r.origin === 'config')
          throw new ConnectionInputRefused(id, [
            { path: 'id', problem: `connection ${id} comes from sellbridge.yaml: remove it there (or pause it)` },
          ]);
        await registry.remove(id, actor);
      },
    };

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/connections',
      role: 'admin',
      tag: 'connections',
      summary:
        'Add a connection while the engine runs: the amazon, sage500, orders, inventory and settlements blocks of a sellbridge.yaml entry (no secrets). Validated (schema, then the mapping, its inventory warehouses and settlement accounts against its Sage company): refused with each problem named, nothing stored; a running worker starts its schedules at once, others within a few seconds. Audited',
      body: z.strictObject({
        id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, _ and - (at most 40)'),
        name: z.string().trim().min(1).max(200).optional(),
        amazon: z.record(z.string(), z.unknown()).optional(),
        sage500: z.record(z.string(), z.unknown()).optional(),
        orders: z.record(z.string(), z.unknown()).optional(),
        inventory: z.record(z.string(), z.unknown()).optional(),
        settlements: z.record(z.string(), z.unknown()).optional(),
      }),
      response: z.object({ connection: ConnectionStatus }),
      statuses: { 201: 'added' },
    },
    async ({ body, principal, reply }) => {
      const c = control();
      const secretIn = (['amazon', 'sage500', 'inventory', 'settlements'] as const).find((b) =>
        /secret|password|token/i.test(JSON.stringify(body[b] ?? {})),
      );
      if (secretIn)
        return reply.code(400).send({
          error: 'invalid request: secrets belong in the vault (PUT /api/v1/connections/:id credentials), not here',
          code: 'SB_CONNECTION_INVALID',
          issues: [{ in: 'body', field: secretIn, problem: 'contains a secret-looking key' }],
        });
      try {
        const connection = await c.add(body, principal.actor);
        return reply.code(201).send({ connection });
      } catch (err) {
        return refused(err, reply);
      }
    },
  );

  for (const action of ['pause', 'resume'] as const)
    routes.add(
      {
        method: 'POST',
        url: `/api/v1/connections/:id/${action}`,
        role: 'admin',
        tag: 'connections',
        summary:
          action === 'pause'
            ? "Pause a connection: its schedules stop, its jobs wait with the reason; every process's workers follow within a few seconds. Audited"
            : 'Resume a paused connection: its schedules start again and its waiting jobs run. Audited',
        params: ConnectionIdParam,
        body: z.strictObject({ reason: z.string().trim().min(1).max(500).optional() }).optional(),
        response: z.object({ connection: ConnectionStatus }),
        statuses: { 404: 'no such connection' },
      },
      async ({ params, body, principal }) => {
        const c = control();
        const connection =
          action === 'pause'
            ? await c.pause(params.id, body?.reason ?? null, principal.actor)
            : await c.resume(params.id, principal.actor);
        return { connection };
      },
    );

  routes.add(
    {
      method: 'DELETE',
      url: '/api/v1/connections/:id',
      role: 'admin',
      tag: 'connections',
      summary:
        'Remove a connection added while running (a sellbridge.yaml connection is refused: remove it from the file); its schedules stop, its pending jobs wait. Audited',
      params: ConnectionIdParam,
      response: z.object({ removed: z.string() }),
      statuses: { 404: 'no such connection' },
    },
    async ({ params, principal, reply }) => {
      const c = control();
      try {
        await c.remove(params.id, principal.actor);
      } catch (err) {
        return refused(err, reply);
      }
      return { removed: params.id };
    },
  );
}
