import type { OrderFlowDeps } from '../flows/index.ts';
import { previewSalesOrder } from '../flows/preview-order.ts';
import type { AdminOrderFlow } from './context.ts';

/**
 * The admin API's "what would Sellbridge create?": the CLI's preview (`previewSalesOrder`, the decision and mapping
 * of `order.sync`, reads only), with the ship-to reduced to city/region/country so a viewer sees no buyer PII here
 * (the audited PII endpoint shows it).
 */
export function createOrderPreview(deps: OrderFlowDeps): AdminOrderFlow {
  return {
    async preview(connectionId, amazonOrderId) {
      const order = await deps.amazon.getOrder(amazonOrderId, { includePii: true });
      const { draft, ...preview } = await previewSalesOrder(connectionId, order, deps);
      if (!draft) return { ...preview, ok: false, draft: null };
      const { shipTo, ...rest } = draft;
      return {
        ...preview,
        ok: true,
        draft: {
          ...rest,
          ...(shipTo
            ? { shipTo: { city: shipTo.city, region: shipTo.region, countryId: shipTo.countryId, redacted: true } }
            : {}),
        },
      };
    },
  };
}
