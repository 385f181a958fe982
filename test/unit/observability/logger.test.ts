import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.ts';

describe('logger redaction', () => {
  it('never writes planted secrets or buyer PII', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const logger = createLogger({ level: 'debug', destination });
    const planted = [
      'Atza|ACCESS-TOKEN-123',
      'Atzr|REFRESH-456',
      'amzn1.oa2-cs.v1.SECRET',
      'Jane Q. Buyer',
      'jane@marketplace.amazon.com',
      '+1-555-0100',
      '1 Secret Lane',
    ];
    logger.info({ accessToken: planted[0], refreshToken: planted[1], lwaClientSecret: planted[2] }, 'token refreshed');
    logger.info(
      {
        order: {
          buyerInfo: { buyerName: planted[3], buyerEmail: planted[4] },
          shippingAddress: { name: planted[3], phone: planted[5], addressLine1: planted[6] },
        },
      },
      'order fetched',
    );
    logger.warn(
      { headers: { authorization: `Bearer ${planted[0]}`, 'x-amz-access-token': planted[0] } },
      'request failed',
    );
    logger.error({ job: { payload: { buyerEmail: planted[4] } } }, 'job failed');
    // The canonical order's and the Sage draft's ship-to blocks hold address lines under neutral keys.
    logger.warn(
      { order: { shipTo: { lines: [planted[6]], city: 'Springfield' } }, draft: { ShipTo: { AddrLine1: planted[6] } } },
      'mapping problem',
    );
    logger.flush();
    await new Promise((r) => setImmediate(r));
    const text = lines.join('');
    expect(lines.length).toBe(5);
    for (const p of planted) expect(text).not.toContain(p);
    expect(text).toContain('[redacted]');
  });
});
