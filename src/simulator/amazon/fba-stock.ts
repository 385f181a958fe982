import type { SimulatorContext } from './types.ts';

/** FBA stock per SKU, as getInventorySummaries reports it (keys `${sellerId}\u0000${sku}`). */
export interface FbaStock {
  fulfillable: number;
  inboundWorking: number;
  inboundShipped: number;
  reserved: number;
  unfulfillable: number;
  lastUpdatedTime: string;
}

/** Initial FBA stock for every catalogue SKU (seeded). */
export function seedFbaStock(sim: SimulatorContext): Map<string, FbaStock> {
  const stock = new Map<string, FbaStock>();
  const prng = sim.prng.fork('fba-stock');
  for (const seller of sim.sellers) {
    for (const item of sim.catalogue(seller.sellerId)) {
      stock.set(`${seller.sellerId}\u0000${item.sku}`, {
        fulfillable: prng.int(0, 200),
        inboundWorking: prng.int(0, 20),
        inboundShipped: prng.int(0, 20),
        reserved: prng.int(0, 5),
        unfulfillable: prng.int(0, 3),
        lastUpdatedTime: new Date(sim.now() - prng.int(1, 72) * 3_600_000).toISOString(),
      });
    }
  }
  return stock;
}
