import { SellbridgeError } from '../core/errors.ts';
import type { Order } from '../core/model/order.ts';
import { orderFromWire } from '../connectors/amazon/order-from-wire.ts';
import { amazonOrder } from '../connectors/amazon/wire.ts';

const SHAPES =
  'expected Amazon\'s order JSON (Orders API 2026-01-01: { "order": { "orderId": ... } } or the order object itself), ' +
  'or a Sellbridge order ({ "id", "lines", ... }, alone or under "order" as in test/fixtures/golden/<case>/input.json)';

/**
 * The order in a JSON document given to `sellbridge orders preview <file.json>`: Amazon's getOrder answer
 * (`order.orderId`), Amazon's order object (`orderId`), a canonical order (`id` + `lines`), or a golden fixture
 * (`{ description, order: <canonical order>, rules?, context?, sage? }`: only `order` is read, the preview uses the
 * connection's own rules and Sage). Anything else is SB_CLI_USAGE naming the field that is missing or wrong.
 */
export function orderFromFileDocument(doc: unknown, source: string): Order {
  const record = isObject(doc) ? doc : undefined;
  if (!record)
    throw new SellbridgeError(
      'SB_CLI_USAGE',
      `${source} is not an order: the file holds ${doc === null ? 'null' : Array.isArray(doc) ? 'an array' : `a ${typeof doc}`}; ${SHAPES}`,
    );
  const inner = isObject(record['order']) ? record['order'] : undefined;
  const candidate = inner ?? record;
  const where = inner ? 'order.' : '';
  if ('orderId' in candidate) {
    const parsed = amazonOrder.safeParse(candidate);
    if (!parsed.success) {
      const fields = parsed.error.issues
        .slice(0, 5)
        .map((i) => `${where}${i.path.join('.') || '(root)'}: ${i.message}`);
      throw new SellbridgeError('SB_CLI_USAGE', `${source} is not an Amazon order: ${fields.join('; ')}`, {
        context: { fields: fields.length },
      });
    }
    return orderFromWire(parsed.data);
  }
  if ('id' in candidate || 'lines' in candidate) {
    const missing = [
      typeof candidate['id'] !== 'string' && `${where}id (a string)`,
      !Array.isArray(candidate['lines']) && `${where}lines (an array)`,
    ].filter(Boolean);
    if (missing.length > 0)
      throw new SellbridgeError(
        'SB_CLI_USAGE',
        `${source} is not a Sellbridge order: missing or wrong ${missing.join(', ')}`,
      );
    return candidate as unknown as Order;
  }
  throw new SellbridgeError(
    'SB_CLI_USAGE',
    `${source} is not an order: it has neither ${where}orderId nor ${where}id; ${SHAPES}`,
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
