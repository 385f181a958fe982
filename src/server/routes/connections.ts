import { z } from 'zod';
import { writeAudit } from '../../runtime/audit.ts';
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
});

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
      const rows = await ctx.store.db.selectFrom('connections').selectAll().orderBy('id').execute();
      const connections = [];
      for (const r of rows) connections.push(await view(r));
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
}
