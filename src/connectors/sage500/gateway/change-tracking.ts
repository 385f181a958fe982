import type { TrackedTable } from '../sql/change-tracking.ts';
import type { GatewayContext } from './context.ts';

/**
 * Where a read in change-tracking mode starts: `off` (not configured, or not turned on for the database or one of
 * `tables`), `full` (no usable version: the first read, or one older than the retention, i.e. below
 * CHANGE_TRACKING_MIN_VALID_VERSION), or `since` a version still valid. `version` is the current version, read
 * before the data, so changes made during the read are seen again next time (reads are idempotent downstream).
 */
export type TrackingStart =
  | { readonly tracking: 'off'; readonly reason: string }
  | { readonly tracking: 'full'; readonly version: string; readonly reason: 'first' | 'expired' }
  | { readonly tracking: 'since'; readonly version: string; readonly from: number };

export async function trackingStart(
  ctx: GatewayContext,
  tables: readonly TrackedTable[],
  since: string | undefined,
): Promise<TrackingStart> {
  if (!ctx.options.changeTracking?.enabled)
    return { tracking: 'off', reason: 'sage500.changeTracking.enabled is false' };
  const { current, minValid } = await ctx.backend.changeTracking.versions(tables);
  if (current === null)
    return {
      tracking: 'off',
      reason: 'change tracking is not on for the database (run `sellbridge sage500 install-extensions`)',
    };
  if (minValid === null)
    return {
      tracking: 'off',
      reason: `change tracking is not on for ${tables.join(' and ')} (run \`sellbridge sage500 install-extensions\`)`,
    };
  const version = String(current);
  if (since === undefined || since === '') return { tracking: 'full', version, reason: 'first' };
  const from = Number(since);
  // Older than the retention: the changes in between were cleaned up, only a full read is right.
  if (!Number.isSafeInteger(from) || from < minValid) return { tracking: 'full', version, reason: 'expired' };
  return { tracking: 'since', version, from };
}
