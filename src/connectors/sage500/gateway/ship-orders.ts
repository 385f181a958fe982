import { SellbridgeError } from '../../../core/errors.ts';
import type { ShipSalesOrderOptions, ShipSalesOrderResult } from '../../../core/model/sales-order.ts';
import type { Sage500Gateway } from '../../../core/ports/sage500-gateway.ts';
import { sageDateTime } from '../decimal.ts';
import { selectSalesOrderHeader } from '../sql/find-sales-order.ts';
import { selectPickCandidates, selectShipKeysOfOrder } from '../sql/ship-sales-order.ts';
import { SO_STATUS } from '../tables.ts';
import type { GatewayContext } from './context.ts';

/**
 * Booking an order as shipped with Sage's own shipment procedures (an order Amazon fulfilled: FBA). Sellbridge ships
 * such an order in one go, so any shipment holding one of its lines (pending, committed or posted) means it is done:
 * the call then answers `existing` and makes nothing, which is what makes it safe to run again.
 */
export function shipOrderMethods(
  ctx: GatewayContext,
  findSalesOrder: Sage500Gateway['findSalesOrder'],
): Pick<Sage500Gateway, 'shipSalesOrder'> {
  const { backend, co, options } = ctx;

  async function shipSalesOrder(tranNo: string, { shipDate }: ShipSalesOrderOptions): Promise<ShipSalesOrderResult> {
    const header = await selectSalesOrderHeader(backend.db, co, { tranNo }).executeTakeFirst();
    if (!header)
      throw new SellbridgeError('SB_SAGE_ORDER_NOT_FOUND', `no sales order ${tranNo} in company ${co}`, {
        context: { tranNo },
      });
    const done = async (outcome: ShipSalesOrderResult['outcome'], keys: readonly { ShipKey: number }[]) => ({
      outcome,
      shipmentKeys: keys.map((k) => String(k.ShipKey)),
      order: (await findSalesOrder({ tranNo }))!,
    });
    const before = await selectShipKeysOfOrder(backend.db, header.SOKey).execute();
    if (before.length > 0) return done('existing', before);
    if (header.Status !== SO_STATUS.open) {
      throw new SellbridgeError(
        'SB_SAGE_ORDER_NOT_SHIPPABLE',
        `sales order ${tranNo} is not open in Sage (status ${header.Status}): it cannot be shipped`,
        { context: { tranNo, status: header.Status } },
      );
    }
    const businessDate = sageDateTime(options.clock.now().toISOString());
    const tranDate = sageDateTime(shipDate);
    const made = await backend.withConnection((step) =>
      step.shipmentTransaction(async (tx) => {
        const candidates = await selectPickCandidates(tx.db, header.SOKey).execute();
        if (candidates.length === 0) {
          throw new SellbridgeError(
            'SB_SAGE_ORDER_NOT_SHIPPABLE',
            `sales order ${tranNo} has nothing Sage would pick (lines closed, drop-shipped, or its customer on hold)`,
            { context: { tranNo } },
          );
        }
        const generated = await tx.generateShipments({ candidates, tranDate, businessDate });
        const keys = await selectShipKeysOfOrder(tx.db, header.SOKey).execute();
        if (generated.shipCount <= 0 || keys.length === 0) {
          // Thrown inside the transaction: the pick list the procedures made is rolled back with it.
          throw new SellbridgeError(
            'SB_SAGE_SHIPMENT_FAILED',
            `Sage generated no shipment for sales order ${tranNo} (${candidates.length} open line distributions)`,
            { context: { tranNo, shipCount: generated.shipCount } },
          );
        }
        return keys;
      }),
    );
    return done('shipped', made);
  }

  return { shipSalesOrder };
}
