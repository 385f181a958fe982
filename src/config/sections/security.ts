import { z } from 'zod';
import { count, durationMs, MINUTE, secret } from '../fields.ts';

/** Admin authentication, CORS and buyer-PII protection (sp-api-facts §13). */
export const securitySection = z
  .strictObject({
    corsOrigins: z
      .array(z.string().url())
      .default([])
      .describe(
        'Browser origins allowed to call the admin API from another site; empty keeps CORS closed (the dashboard is served from the same origin and needs none)',
      ),
    sessionTtlMs: durationMs('How long a dashboard sign-in lasts', 8 * 60 * MINUTE),
    lockoutThreshold: count('Consecutive failed sign-ins after which a local user is locked (Amazon DPP: 10)', 10, 1),
    lockoutMs: durationMs(
      'How long a user stays locked after lockoutThreshold failures; each failure after a lock has expired locks again for twice as long',
      15 * MINUTE,
    ),
    lockoutMaxMs: durationMs(
      'Longest lock the doubling reaches (a lock is a throttle, never permanent)',
      24 * 60 * MINUTE,
    ),
    authRateLimitPerMinute: count(
      'Sign-in attempts per client address, and per user name, and minute before 429',
      20,
      1,
    ),
    minPasswordLength: count('Shortest password `sellbridge users add` accepts', 12, 8),
    piiKeys: secret(
      'Keys that encrypt buyer PII and connection credentials at rest (AES-256-GCM): `keyId:base64-32-bytes`, several separated by commas; the LAST one encrypts, the others only decrypt until `sellbridge keys rotate` has re-encrypted their rows. `sellbridge keys generate` makes one',
    ),
    piiKeyFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        'File with PII keys in the same `keyId:base64` form, one per line (readable by the Sellbridge user only); used when piiKeys is not set',
      ),
    piiRetentionDays: count(
      'Days after delivery that buyer PII is kept before the purge job deletes it (Amazon DPP: at most 30)',
      30,
      0,
    ),
    piiPurgeEveryMs: durationMs('How often the PII purge job runs', 60 * MINUTE),
    piiViewRole: z
      .enum(['viewer', 'operator', 'admin'])
      .default('operator')
      .describe('Least role that may view buyer PII through the admin API (every view is audited)'),
  })
  .prefault({})
  .describe('Admin API security and buyer PII protection');
