import { SellbridgeError } from '../core/errors.ts';
import { errorFromHeld, type HeldChange } from '../core/transform/listing-delta.ts';
import { parsePayload } from './job-payload.ts';
import {
  INVENTORY_SYNC_QUEUE,
  type InventoryFlowDeps,
  LISTING_BLOCK_QUEUE,
  type SyncScope,
  inventorySyncKey,
} from './inventory.ts';

/**
 * `listing.block`: the first run dead-letters the block (SB_LIST_PRICE_HELD / SB_LIST_MESSAGE_REJECTED) so a person
 * sees it; a replay of that dead letter releases it: the price is approved, or the rejected change is sent again.
 */
export async function releaseListingBlock(
  payload: unknown,
  deps: InventoryFlowDeps,
): Promise<{ readonly released: boolean }> {
  const { connectionId, blockId } = parsePayload(LISTING_BLOCK_QUEUE, payload, ['connectionId', 'blockId'] as const);
  const block = await deps.state.block(blockId);
  if (!block || block.state === 'released') return { released: false };
  if (block.state === 'new') {
    await deps.state.setBlockState(blockId, 'open');
    if (block.kind === 'price-held') {
      const held: HeldChange = {
        sku: block.sku,
        marketplaceId: block.marketplaceId,
        reason: 'price-jump',
        change: { kind: 'quantity', to: 0, why: '' },
        why: block.reason,
      };
      throw errorFromHeld(held);
    }
    if (block.kind === 'attribute-invalid')
      throw new SellbridgeError(
        'SB_LIST_ATTRIBUTE_INVALID',
        `SKU ${block.sku} in ${block.marketplaceId}: ${block.reason}`,
        { context: { sku: block.sku, marketplaceId: block.marketplaceId, blockId } },
      );
    throw new SellbridgeError('SB_LIST_MESSAGE_REJECTED', block.reason, {
      context: { sku: block.sku, marketplaceId: block.marketplaceId, blockId },
    });
  }
  await deps.state.setBlockState(blockId, 'released');
  const scope: SyncScope = block.field === 'price' ? 'price' : 'quantity';
  await deps.jobs.enqueue(
    INVENTORY_SYNC_QUEUE,
    { connectionId, scope },
    { key: inventorySyncKey(connectionId, scope), dedupe: true },
  );
  return { released: true };
}
