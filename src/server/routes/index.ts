import type { ServerContext } from '../context.ts';
import { registerAccessRoutes } from './access.ts';
import { registerAgentRoutes } from './agents.ts';
import { registerAuditRoutes } from './audit.ts';
import { registerAuthRoutes } from './auth.ts';
import { registerConnectionRoutes } from './connections.ts';
import { registerConnectionMappingRoutes } from './connection-mappings.ts';
import { registerDeadLetterRoutes } from './dead-letters.ts';
import { registerDoctorRoutes } from './doctor.ts';
import { registerMappingRoutes } from './mappings.ts';
import { registerOnboardingRoutes } from './onboarding.ts';
import { registerOrderRoutes } from './orders.ts';
import { registerOverviewRoutes } from './overview.ts';
import { registerReportRoutes } from './reports.ts';

/** The admin API under /api/v1 (contract: docs/admin-api.md). */
export function registerAdminApi(ctx: ServerContext): void {
  registerAuthRoutes(ctx);
  registerOverviewRoutes(ctx);
  registerOrderRoutes(ctx);
  registerDeadLetterRoutes(ctx);
  registerMappingRoutes(ctx);
  registerConnectionRoutes(ctx);
  registerConnectionMappingRoutes(ctx);
  registerReportRoutes(ctx);
  registerAuditRoutes(ctx);
  registerAccessRoutes(ctx);
  registerDoctorRoutes(ctx);
  registerAgentRoutes(ctx);
  registerOnboardingRoutes(ctx);
}
