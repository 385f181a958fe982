import { z } from 'zod';
import { count, durationMs, SECOND, secret } from '../fields.ts';

const usagePlan = z.strictObject({
  rate: z.number().positive().optional().describe('Requests per second'),
  burst: z.number().int().positive().optional().describe('Bucket size'),
});

/** Amazon SP-API connection settings. Owned by the Amazon connector. */
export const amazonSection = z
  .strictObject({
    mode: z
      .enum(['simulator', 'live'])
      .default('simulator')
      .describe('`simulator` talks to the built-in SP-API simulator; `live` to Amazon'),
    region: z
      .enum(['na', 'eu', 'fe'])
      .default('na')
      .describe(
        'SP-API region of the seller account: `na` (US, CA, MX, BR), `eu` (Europe, IN, TR, AE, SA, EG, ZA), `fe` (JP, AU, SG)',
      ),
    sandbox: z
      .boolean()
      .default(false)
      .describe("Use Amazon's sandbox hosts (static/dynamic sandbox; 5 rps, burst 15) instead of production"),
    endpoint: z
      .url()
      .optional()
      .describe(
        'SP-API base URL override, e.g. the simulator at `http://127.0.0.1:4567`, or its regional endpoint `http://127.0.0.1:4567/{region}` (`{region}` becomes `amazon.region`: na, eu or fe); unset = the regional Amazon host',
      ),
    lwaEndpoint: z
      .url()
      .default('https://api.amazon.com/auth/o2/token')
      .describe('Login with Amazon token endpoint (point it at the simulator `<url>/auth/o2/token` in tests)'),
    lwaClientId: secret('Login with Amazon client id of the SP-API application'),
    lwaClientSecret: secret('Login with Amazon client secret of the SP-API application'),
    refreshToken: secret('Seller refresh token from the authorization workflow'),
    applicationId: z
      .string()
      .min(1)
      .default('sellbridge')
      .describe('SP-API application id (amzn1.sp.solution.…); part of every rate-bucket key'),
    consentUrl: z
      .url()
      .optional()
      .describe(
        "Seller Central consent page of the website authorization workflow (`sellbridge connections authorize`); unset = the region's Seller Central (`https://sellercentral.amazon.com/apps/authorize/consent` in NA); the simulator's is `<url>/apps/authorize/consent`",
      ),
    redirectUri: z
      .url()
      .optional()
      .describe(
        "Where Amazon sends the seller back after consent: this server's `/oauth/amazon/callback` (a redirect URI registered for the application). Unset = the dashboard button uses the address it was opened at; the CLI needs it",
      ),
    consentBeta: z
      .boolean()
      .default(false)
      .describe('Add `version=beta` to the consent URL (the application is still in draft)'),
    consentStateTtlMs: durationMs(
      'How long a consent URL (its single-use state) works before the callback refuses it',
      600 * SECOND,
    ),
    sellerId: z
      .string()
      .min(1)
      .optional()
      .describe('Selling partner (merchant) id, e.g. A1B2C3D4E5F6G7; needed for Listings Items and rate-bucket keys'),
    marketplaceIds: z
      .array(z.string().min(1))
      .min(1)
      .default(['ATVPDKIKX0DER'])
      .describe(
        'Marketplaces this connection sells in (comma-separated in env), e.g. ATVPDKIKX0DER (US), A1PA6795UKMFR9 (DE)',
      ),
    requestTimeoutMs: durationMs('Deadline of one SP-API or LWA request', 30 * SECOND),
    documentTimeoutMs: durationMs('Deadline of one feed/report document upload or download', 120 * SECOND),
    maxRateWaitMs: durationMs(
      'Longest wait for a rate-bucket token inside a job; longer waits reschedule the job (throttled, no attempt spent)',
      5 * SECOND,
    ),
    circuit: z
      .strictObject({
        failureThreshold: count(
          'Consecutive outage failures (network error, timeout, 5xx) of one endpoint family that open its circuit',
          5,
          1,
        ),
        openMs: durationMs(
          'How long an open Amazon circuit makes jobs wait before one probe call is let through',
          15 * SECOND,
        ),
      })
      .prefault({})
      .describe(
        'Circuit breakers in front of Amazon, one per endpoint family (lwa, orders, feeds, reports, listings, inventory, notifications, finances): while open, jobs wait without spending attempts',
      ),
    usagePlans: z
      .record(z.string(), usagePlan)
      .default({})
      .describe(
        'Per-operation usage-plan overrides keyed `<api>.<operationId>`, e.g. `{ "orders.getOrder": { "rate": 1, "burst": 40 } }` (set it in the YAML file); defaults are Amazon\'s published plans',
      ),
    sqs: z
      .strictObject({
        queueUrl: z
          .url()
          .optional()
          .describe('SQS queue URL that receives ORDER_CHANGE, FEED/REPORT_PROCESSING_FINISHED; unset = no SQS intake'),
        endpoint: z
          .url()
          .optional()
          .describe('SQS endpoint override (simulator or VPC endpoint); unset = the AWS regional endpoint'),
        region: z.string().min(1).default('us-east-1').describe('AWS region of the queue'),
        accessKeyId: secret(
          'AWS access key id for the queue; unset = the AWS default chain (environment, instance role)',
        ),
        secretAccessKey: secret('AWS secret access key for the queue; unset = the AWS default chain'),
        waitTimeSeconds: count('Long-poll wait of one ReceiveMessage (0-20 s)', 20),
        maxMessages: count('Messages per ReceiveMessage (1-10)', 10, 1),
      })
      .prefault({})
      .describe('Notification intake from Amazon SQS'),
  })
  .prefault({})
  .describe('Amazon Seller Central (SP-API)');
