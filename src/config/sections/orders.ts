import { z } from 'zod';
import { count, durationMs, HOUR, MINUTE, SECOND, secret } from '../fields.ts';
import { orderMappingFields } from './order-mapping.ts';

/** Order-to-fulfillment runtime settings: intake, polling, the Sage circuit breaker. */
export const ordersSection = z
  .strictObject({
    connectionId: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, - and _')
      .default('default')
      .describe(
        'Id of the Amazon seller <-> Sage company connection this process serves (keys its links, cursors and aliases)',
      ),
    ...orderMappingFields,
    addressPolicy: z
      .enum(['fit', 'dead-letter'])
      .default('fit')
      .describe(
        "What happens to a ship-to address too long for Sage's columns or in a non-Latin script: `fit` transliterates, abbreviates (USPS Publication 28 in the US, a table per country), overflows onto the next line and truncates at a word boundary as the last resort, keeps the Amazon original sealed beside the order (with a PII key) and marks the order fitted; `dead-letter` leaves the order to an operator (SB_MAP_ADDRESS_INVALID)",
      ),
    fba: z
      .strictObject({
        policy: z
          .enum(['skip', 'record-shipped'])
          .default('skip')
          .describe(
            "Orders Amazon fulfils itself (FBA/AFN): `skip` leaves them out of Sage; `record-shipped` books each one once Amazon has shipped it, as a Sage sales order in `warehouseId` and its shipment made by Sage's shipment procedures (Sage's stock and revenue then match Amazon's); never confirmed to Amazon",
          ),
        warehouseId: z
          .string()
          .min(1)
          .max(6)
          .default('FBA')
          .describe(
            'Sage WhseID (varchar(6)) that holds the stock at Amazon: FBA orders are booked and shipped from it under `record-shipped`, and the shipment poll never confirms a shipment from it',
          ),
      })
      .prefault({})
      .describe('Orders fulfilled by Amazon (FBA)'),
    refunds: z
      .enum(['off', 'customer-return'])
      .default('off')
      .describe(
        "Amazon refunds (the Refund rows of each imported settlement, from its report or rebuilt from Finances): `customer-return` enters each refund of an order Sellbridge created as a pending Sage customer return (TranType 811) linked to the order's lines, exactly once, for a Sage user to commit and post (Sage's posting makes the credit memo); `off` leaves refunds to the settlement journal alone",
      ),
    fbaReturns: z
      .enum(['off', 'customer-return'])
      .default('off')
      .describe(
        "Amazon's FBA customer returns report (GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA, requested every `fbaReturnsEveryMs`): `customer-return` enters each returned line of an order Sellbridge booked in Sage (FBA policy `record-shipped`) as a pending Sage customer return linked to the order's line, exactly once per line, and never again for goods a refund of the same order item already entered (docs/fba-and-returns.md); lines that cannot be placed are dead-lettered; `off` does not read the report",
      ),
    fbaReturnsEveryMs: durationMs(
      'How often the FBA customer returns report is requested, or the one requested is checked (fba-returns.poll)',
      HOUR,
    ),
    shipmentPollEveryMs: durationMs('How often Sage 500 is asked for new shipments (shipment.poll)', MINUTE),
    shipByWarningMs: durationMs(
      'An order not shipped yet whose Amazon latest ship date is this close (or past) is at risk of shipping late: shown by `orders status`, the admin API and the dashboard, counted by sellbridge_orders_ship_by_at_risk',
      24 * HOUR,
    ),
    poll: z
      .strictObject({
        enabled: z
          .boolean()
          .default(true)
          .describe(
            'Run the polling safety net (order.poll): searchOrders by last update, for notifications that never arrived',
          ),
        everyMs: durationMs('How often the safety net asks Amazon for recently updated orders', 5 * MINUTE),
        overlapMs: durationMs(
          'How far before the stored cursor each poll starts again, so orders updated around the cursor are not missed',
          10 * MINUTE,
        ),
        initialLookbackMs: durationMs('First poll of a connection: how far back it looks', 24 * HOUR),
        pageSize: count('Orders per searchOrders page (1-100)', 100, 1),
        maxPages: count('Pages one order.poll job reads before it queues itself to continue', 20, 1),
      })
      .prefault({})
      .describe('Order polling safety net'),
    sageCircuit: z
      .strictObject({
        failureThreshold: count('Consecutive Sage-unavailable failures that open the circuit', 5, 1),
        openMs: durationMs(
          'How long the open circuit makes jobs wait before one probe call is let through',
          30 * SECOND,
        ),
      })
      .prefault({})
      .describe(
        "Circuit breaker in front of Sage 500, one per Sage server (connections whose companies are on one server share it, with the first connection's settings): while open, jobs wait without spending attempts",
      ),
    webhook: z
      .strictObject({
        apiKey: secret(
          'Key the webhook POST /webhooks/amazon accepts in the `x-api-key` header (EventBridge API destination, API key auth)',
        ),
        basicUser: z
          .string()
          .min(1)
          .optional()
          .describe('User name the webhook accepts with HTTP Basic auth (EventBridge API destination, Basic auth)'),
        basicPassword: secret('Password the webhook accepts with HTTP Basic auth'),
        bodyLimitBytes: count('Largest webhook body accepted (bytes); larger ones get 413', 256 * 1024, 1024),
      })
      .prefault({})
      .describe(
        'HTTPS intake of Amazon notifications (EventBridge API destination); closed (401) until a key or Basic credentials are set',
      ),
  })
  .prefault({})
  .describe('Orders to fulfillment');
