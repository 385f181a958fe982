import { z } from 'zod';
import { count, secret } from '../fields.ts';

/** HTTP server. `adminToken` stays as the bootstrap admin token (until tokens and users exist). */
export const serverSection = z
  .strictObject({
    host: z.string().default('127.0.0.1').describe('Address the HTTP server listens on'),
    port: z.number().int().min(0).max(65535).default(8080).describe('Port of the HTTP server (0 picks a free one)'),
    adminToken: secret(
      'Bootstrap bearer token with the admin role for /metrics and the admin API (create named tokens with `sellbridge tokens create` and users with `sellbridge users add`); without it and without tokens those endpoints answer 401',
    ),
    behindTls: z
      .boolean()
      .default(false)
      .describe(
        'TLS terminates in front of Sellbridge (reverse proxy): send Strict-Transport-Security and mark the session cookie Secure',
      ),
    trustedProxies: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Addresses or CIDRs of the reverse proxies whose X-Forwarded-For is believed (e.g. ["10.0.0.5", "10.1.0.0/16"]); empty (the default) uses the socket address, so a client cannot choose the address the sign-in limit counts',
      ),
    bodyLimitBytes: count(
      'Largest request body accepted (JSON and CSV imports); larger bodies answer 413',
      1024 * 1024,
      1024,
    ),
  })
  .prefault({})
  .describe('HTTP server (health, metrics, webhooks, admin API, dashboard)');
