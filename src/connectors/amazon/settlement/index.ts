export {
  createSettlementParser,
  parseSettlementReport,
  SETTLEMENT_LEGACY_COLUMNS,
  SETTLEMENT_V2_COLUMNS,
  type SettlementParseOptions,
  type SettlementParser,
} from './parse-settlement.ts';
export { normalizeAmount, numberFormatOf, type NumberFormat } from './numbers.ts';
export { parseAmazonDateTime, parseShortDate, type ShortDateOrder } from './dates.ts';
