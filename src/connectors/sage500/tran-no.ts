import { SellbridgeError } from '../../core/errors.ts';

/**
 * Our reserved Sage order number: prefix + zero-padded sequence, exactly 10 characters (Sage's TranNo is
 * varchar(10); always sending 10 characters avoids depending on whether the import pads, facts §4.6). The
 * store hands out the sequence per AmazonOrderId before anything is staged.
 */
export function tranNoFor(prefix: string, sequence: number): string {
  const digits = 10 - prefix.length;
  if (!Number.isSafeInteger(sequence) || sequence < 1 || String(sequence).length > digits) {
    throw new SellbridgeError(
      'SB_SAGE_TRANNO_INVALID',
      `sequence ${sequence} does not fit ${digits} digits after prefix ${prefix}`,
      { context: { prefix, sequence } },
    );
  }
  return `${prefix}${String(sequence).padStart(digits, '0')}`;
}
