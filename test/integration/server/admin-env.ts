import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/server/app.ts';
import type { AppDeps } from '../../../src/server/context.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { createAuthService, type AuthService } from '../../../src/runtime/auth/auth-service.ts';
import type { Role } from '../../../src/runtime/auth/roles.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import type { JobQueue } from '../../../src/runtime/queue/job-queue.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore, makeQueue } from '../../helpers/queue-env.ts';

export const BOOTSTRAP = 'bootstrap-admin-token-0123456789';

export interface AdminEnv {
  readonly store: Store;
  readonly queue: JobQueue;
  readonly app: FastifyInstance;
  readonly auth: AuthService;
  /** Bearer headers per role (stored API tokens). */
  readonly as: Record<Role, { authorization: string }>;
  close(): Promise<void>;
}

/** A SQLite store, a queue (not started), the app, and one API token per role. */
export async function adminEnv(extra: Partial<AppDeps> = {}): Promise<AdminEnv> {
  const store = await freshStore('sqlite', 'admin');
  const queue = await makeQueue(store);
  const auth = createAuthService(store, systemClock, {
    bootstrapToken: BOOTSTRAP,
    settings: { minPasswordLength: 12, passwordHashLog2N: 10 },
  });
  const app = buildApp({
    store,
    queue,
    metrics: createMetrics(),
    logger: silentLogger(),
    adminToken: BOOTSTRAP,
    auth,
    ...extra,
  });
  const as = {} as Record<Role, { authorization: string }>;
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    const { token } = await auth.createToken({ name: `test-${role}`, role, actor: 'test' });
    as[role] = { authorization: `Bearer ${token}` };
  }
  return {
    store,
    queue,
    app,
    auth,
    as,
    async close() {
      await app.close();
      await queue.stop();
      await store.close();
    },
  };
}
