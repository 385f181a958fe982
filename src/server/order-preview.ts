import { MappingError } from '../core/errors.ts';
import { salesOrderFromOrder, shipMethodFromServiceLevel } from '../core/transform/sales-order-from-order.ts';
import type { OrderFlowDeps } from '../flows/index.ts';
import type { AdminOrderFlow } from './app.ts';

/**
 * "What would Sellbridge create?": reads the order at Amazon and the Sage context, maps it like `order.sync`
 * (aliases included) and returns the draft or every mapping issue, without reserving or creating anything. The
 * ship-to is reduced to city/region/country so a viewer sees no buyer PII here (the audited PII endpoint shows it).
 */
export function createOrderPreview(deps: OrderFlowDeps): AdminOrderFlow {
  return {
    async preview(connectionId, amazonOrderId) {
      const order = await deps.amazon.getOrder(amazonOrderId, { includePii: true });
      const base = deps.rulesFor(connectionId);
      const rules = { ...base, skuAliases: { ...base.skuAliases, ...(await deps.aliases.aliasesFor(connectionId)) } };
      const shipMethodId = shipMethodFromServiceLevel(order.shipServiceLevel, rules.shipMethods);
      const context = await deps.sage.loadOrderContext({
        skus: [...new Set(order.lines.filter((l) => l.quantityOrdered > 0 && l.sku).map((l) => l.sku!))],
        customerId: (order.marketplaceId && rules.customers[order.marketplaceId]?.customerId) || '',
        warehouseIds: [rules.warehouseId],
        ...(shipMethodId ? { shipMethodId } : {}),
      });
      const catalogue = context.unknownItems.length > 0 ? await deps.catalogue.listItems() : [];
      try {
        const draft = salesOrderFromOrder(order, { items: context.items, catalogue, warehouseId: rules.warehouseId }, rules);
        const { shipTo, ...rest } = draft;
        return {
          amazonOrderId,
          connectionId,
          ok: true,
          draft: { ...rest, ...(shipTo ? { shipTo: { city: shipTo.city, region: shipTo.region, countryId: shipTo.countryId, redacted: true } } : {}) },
          issues: [],
        };
      } catch (err) {
        if (!(err instanceof MappingError)) throw err;
        return { amazonOrderId, connectionId, ok: false, code: err.code, message: err.message, issues: err.issues, draft: null };
      }
    },
  };
}
