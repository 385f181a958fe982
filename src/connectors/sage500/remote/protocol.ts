import { z } from 'zod';
import {
  ERROR_CATALOGUE,
  MappingError,
  SellbridgeError,
  isSellbridgeError,
  type ErrorCode,
} from '../../../core/errors.ts';
import type { Sage500Gateway } from '../../../core/ports/sage500-gateway.ts';

/**
 * The hub <-> agent channel of hosted mode. The agent beside Sage dials out to the hub (WebSocket over HTTPS) and
 * runs, against its local Sage 500 gateway, only the gateway's named operations with arguments of the gateway's
 * types: each is checked here, on the agent, before anything touches Sage. No SQL and no other verb crosses the
 * channel.
 *
 * Frames are JSON text:
 * - hub -> agent `{ t: 'call', id, op, args }`: `id` is unique per request and is sent again unchanged when the
 *   channel dropped before the answer came, so the agent answers a resend from what it remembers;
 * - agent -> hub `{ t: 'result', id, ok: true, value }` or `{ t: 'result', id, ok: false, error }`;
 * - hub -> agent `{ t: 'welcome', ... }` once the channel is accepted.
 */

/**
 * Bumped when a frame or an operation's types change in a way the other side cannot read, or the hub calls an
 * operation an older agent does not know (it would refuse every such call: better refused at connect, with the
 * version to install). 2: the change-tracking reads, FBA shipments, customer returns, line cancel, ship-to change,
 * item fields, exchange rates, cash receipts and invoices.
 */
export const AGENT_PROTOCOL = 2;
export const CHANNEL_PATH = '/agent/v1/channel';
export const ENROL_PATH = '/agent/v1/enrol';
export const HEADER_VERSION = 'x-sellbridge-agent-version';
export const HEADER_PROTOCOL = 'x-sellbridge-agent-protocol';

const text = z.string().max(4000);
const ids = z.array(z.string().max(200)).max(10_000);
const isoDate = z.string().max(40);
const currency = z.string().min(3).max(3);
const money = z.strictObject({ currency, minor: z.number().int().refine(Number.isSafeInteger, 'a safe integer') });
const address = z.strictObject({
  name: text,
  lines: z.array(text).max(10),
  city: text,
  region: text,
  postalCode: text,
  countryId: text,
});
const charge = z.enum([
  'freight',
  'gift-wrap',
  'other-charges',
  'marketplace-tax',
  'seller-tax',
  'promotions',
  'rounding',
]);
const line = z.strictObject({
  lineNo: z.number().int().positive(),
  itemId: text,
  description: text.optional(),
  quantity: z.number().int(),
  unitPrice: money,
  warehouseId: text.optional(),
  shipMethodId: text.optional(),
  amazonOrderItemId: text.optional(),
  sellerSku: text.optional(),
  tradeDiscount: money.optional(),
  glAccountNo: text.optional(),
  charge: charge.optional(),
});
const draft = z.strictObject({
  customerId: text,
  amazonOrderId: text,
  marketplaceId: text.optional(),
  orderDate: isoDate,
  shipBy: isoDate.optional(),
  currency,
  warehouseId: text,
  shipMethodId: text.optional(),
  shipTo: address.optional(),
  customerPoNo: text.optional(),
  freight: money.optional(),
  lines: z.array(line).max(1000),
});
const journal = z.strictObject({
  reference: text,
  postDate: isoDate,
  currency,
  lines: z.array(z.strictObject({ account: text, amount: money, comment: text, home: money.optional() })).max(100_000),
  exchange: z
    .strictObject({
      homeCurrency: currency,
      rate: z.string().max(40),
      source: z.enum(['sage-rate-table', 'deposit']),
      detail: text,
    })
    .optional(),
});
const cashReceipt = z.strictObject({
  reference: text,
  customerId: text,
  cashAccountId: text,
  tranDate: isoDate,
  amount: money,
  exchangeRate: z.string().max(40),
  amountHome: money,
  orders: z.array(z.strictObject({ amazonOrderId: text, amount: money })).max(100_000),
});

/**
 * Every operation of the Sage500Gateway port the hub may ask for, with the types of its arguments (a tuple).
 * `close` is not one: the agent owns its connection to Sage.
 */
export const OPERATIONS = {
  resolveItems: z.tuple([ids]),
  listItems: z.tuple([z.strictObject({ text: text.optional(), limit: z.number().int().optional() }).optional()]),
  resolveWarehouses: z.tuple([ids]),
  resolveCustomers: z.tuple([ids]),
  resolveShipMethods: z.tuple([ids]),
  loadOrderContext: z.tuple([
    z.strictObject({ skus: ids, customerId: text, warehouseIds: ids, shipMethodId: text.optional() }),
  ]),
  createSalesOrder: z.tuple([draft, z.strictObject({ tranNo: z.string().max(50) })]),
  findSalesOrder: z.tuple([z.union([z.strictObject({ tranNo: text }), z.strictObject({ amazonOrderId: text })])]),
  salesOrderTotalsOf: z.tuple([ids]),
  cancelSalesOrder: z.tuple([text]),
  shipSalesOrder: z.tuple([text, z.strictObject({ shipDate: isoDate })]),
  recordCustomerReturn: z.tuple([
    z.strictObject({
      amazonOrderId: text,
      salesOrderTranNo: text,
      reference: text,
      source: z.enum(['refund', 'fba-return']).optional(),
      returnDate: isoDate,
      lines: z.array(z.strictObject({ amazonOrderItemId: text, quantity: z.number().int().positive() })).max(1000),
    }),
    z.strictObject({ tranNo: z.string().max(50) }),
  ]),
  cancelSalesOrderLine: z.tuple([text, z.number().int().positive()]),
  updateSalesOrderShipTo: z.tuple([text, address]),
  readItemFields: z.tuple([ids]),
  listShipments: z.tuple([text.optional()]),
  shipmentChangesSince: z.tuple([text.optional(), ids.optional()]),
  getStock: z.tuple([ids, ids]),
  stockChangesSince: z.tuple([text.optional()]),
  getPrices: z.tuple([
    z.strictObject({
      itemIds: ids,
      warehouseId: text,
      priceSheet: z.enum(['list', 'sheet1', 'sheet2', 'sheet3', 'sheet4']),
      currency,
      asOf: isoDate.optional(),
    }),
  ]),
  postJournal: z.tuple([journal]),
  validateGlAccounts: z.tuple([ids]),
  receivableAccountsOf: z.tuple([ids]),
  exchangeRate: z.tuple([z.strictObject({ currency, date: isoDate, schedule: text.optional() })]),
  enterCashReceipt: z.tuple([cashReceipt]),
  invoicesOfOrders: z.tuple([ids]),
  installExtensions: z.tuple([]),
  health: z.tuple([]),
} as const satisfies Record<Exclude<keyof Sage500Gateway, 'close'>, z.ZodType>;

export type OperationName = keyof typeof OPERATIONS;
export const OPERATION_NAMES = Object.keys(OPERATIONS) as OperationName[];

/**
 * The writes, and what makes a resend of each safe: the agent's memory of answers covers a resend of the same
 * request; a new request after a lost answer (a job run again) relies on the gateway's own idempotence.
 */
export const WRITE_OPERATIONS: Readonly<Partial<Record<OperationName, string>>> = {
  createSalesOrder: 'idempotent by TranNo: an order with that TranNo is returned as `existing`',
  cancelSalesOrder: 'idempotent: cancelling a canceled order returns it',
  recordCustomerReturn: 'idempotent by TranNo: a customer return with that TranNo is returned as `existing`',
  shipSalesOrder: 'idempotent: an order with nothing open to ship is returned as `existing`, no shipment is made',
  cancelSalesOrderLine: 'idempotent: cancelling a closed line returns the order as it is',
  updateSalesOrderShipTo: 'idempotent: the ship-to the order already has changes nothing',
  postJournal: 'idempotent by the batch reference: a second call returns the batch as `existing`',
  enterCashReceipt:
    'idempotent by the receipt reference (tarCustPmt_AMZ): a second call returns the receipt as `existing`',
  installExtensions: 'idempotent: creates only missing tables',
};

export const CallFrame = z.strictObject({
  t: z.literal('call'),
  id: z.string().min(1).max(100),
  op: z.string().max(100),
  args: z.array(z.unknown()).max(10),
});
export type CallFrame = z.output<typeof CallFrame>;

export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly retryAfterMs?: number;
  readonly context?: Readonly<Record<string, unknown>>;
  readonly issues?: readonly { field: string; problem: string }[];
}

export type ResultFrame =
  | { readonly t: 'result'; readonly id: string; readonly ok: true; readonly value: unknown }
  | { readonly t: 'result'; readonly id: string; readonly ok: false; readonly error: WireError };

export const ResultFrameSchema = z.union([
  z.object({ t: z.literal('result'), id: z.string(), ok: z.literal(true), value: z.unknown() }),
  z.object({
    t: z.literal('result'),
    id: z.string(),
    ok: z.literal(false),
    error: z.object({
      code: z.string(),
      message: z.string(),
      retryAfterMs: z.number().optional(),
      context: z.record(z.string(), z.unknown()).optional(),
      issues: z.array(z.object({ field: z.string(), problem: z.string() })).optional(),
    }),
  }),
]);

export interface WelcomeFrame {
  readonly t: 'welcome';
  readonly agentId: string;
  readonly connectionId: string;
  readonly hubVersion: string;
}

/** A validated request, or the refusal to send back (operation outside the list, or arguments of the wrong type). */
export function checkCall(
  frame: CallFrame,
): { ok: true; op: OperationName; args: unknown[] } | { ok: false; error: SellbridgeError } {
  if (!Object.hasOwn(OPERATIONS, frame.op))
    return {
      ok: false,
      error: new SellbridgeError(
        'SB_AGENT_OPERATION_REFUSED',
        `operation "${frame.op.slice(0, 100)}" is not one of the Sage 500 gateway's operations (${OPERATION_NAMES.join(', ')}); the agent runs nothing else`,
        { context: { op: frame.op.slice(0, 100), requestId: frame.id } },
      ),
    };
  const op = frame.op as OperationName;
  // JSON has no undefined: an argument left out before a later one arrives as null (no operation takes a null
  // argument), so every top-level null is an argument left out.
  const args = Array.isArray(frame.args) ? frame.args.map((a: unknown) => (a === null ? undefined : a)) : frame.args;
  const parsed = (OPERATIONS[op] as z.ZodType).safeParse(args);
  if (!parsed.success)
    return {
      ok: false,
      error: new MappingError(
        'SB_AGENT_OPERATION_REFUSED',
        `${op} arguments`,
        parsed.error.issues.slice(0, 50).map((i) => ({
          field: i.path.length ? `args.${i.path.join('.')}` : 'args',
          problem: i.message,
        })),
        { context: { op, requestId: frame.id } },
      ),
    };
  return { ok: true, op, args: parsed.data as unknown[] };
}

/** An error as it crosses the channel: code, message, wait and ids; never a stack or a driver object. */
export function errorToWire(err: unknown): WireError {
  if (isSellbridgeError(err))
    return {
      code: err.code,
      message: err.message,
      ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
      context: err.context,
      ...(err instanceof MappingError
        ? { issues: err.issues.map((i) => ({ field: i.field, problem: i.problem })) }
        : {}),
    };
  return {
    code: 'SB_SAGE_QUERY_FAILED',
    message: `the agent's Sage 500 call failed: ${err instanceof Error ? err.message : String(err)}`,
  };
}

/** The Sellbridge error an agent's answer stands for, with the code and kind the agent's gateway raised. */
export function errorFromWire(wire: WireError): SellbridgeError {
  const code = (Object.hasOwn(ERROR_CATALOGUE, wire.code) ? wire.code : 'SB_SAGE_QUERY_FAILED') as ErrorCode;
  const options = {
    ...(wire.retryAfterMs !== undefined ? { retryAfterMs: wire.retryAfterMs } : {}),
    context: { ...(wire.context ?? {}), via: 'agent' },
  };
  if (wire.issues && wire.issues.length) {
    const err = new MappingError(code, 'agent', wire.issues, options);
    err.message = wire.message; // the agent's message, which already names the record
    return err;
  }
  return new SellbridgeError(code, code === wire.code ? wire.message : `${wire.code}: ${wire.message}`, options);
}

/** Whether an agent of `agentVersion` speaking `protocol` can talk to this hub; else the message to show it. */
export function compatibility(
  agentProtocol: string | undefined,
  agentVersion: string | undefined,
  hubVersion: string,
): { ok: true } | { ok: false; message: string } {
  if (Number(agentProtocol) === AGENT_PROTOCOL && agentVersion) return { ok: true };
  return {
    ok: false,
    message: `this hub runs Sellbridge ${hubVersion} (agent protocol ${AGENT_PROTOCOL}); the agent runs ${agentVersion ?? 'an unknown version'} (protocol ${agentProtocol ?? 'none'}): install Sellbridge ${hubVersion} on the agent`,
  };
}
