import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { LISTING_ISSUE, type ListingIssue, type ListingStore, type PatchOperation } from './listings.ts';

// Read when called, not at load (the single executable loads ajv-formats on first use).
const addFormats = (ajv: Ajv): Ajv => (addFormatsModule as unknown as (a: Ajv) => Ajv)(ajv);

/**
 * JSON_LISTINGS_FEED processing: the document is validated against Amazon's official schema
 * (`schemas/feeds/listings-feed-schema-v2.json`, read from ../shared at run time, never copied) or, when that
 * folder is absent, against structural checks of the same rules; then each message is applied to the listings.
 * The result is a processing report in the official v2 shape with per-message issues.
 */
export const DEFAULT_MODELS_DIR = fileURLToPath(new URL('../../../../shared/sp-api-models/', import.meta.url));

export interface ProcessingReport {
  header: { sellerId: string; version: '2.0'; feedId: string };
  issues: {
    messageId?: number;
    sku?: string;
    code: string;
    severity: 'ERROR' | 'WARNING' | 'INFO';
    message: string;
    attributeName?: string;
  }[];
  summary: {
    errors: number;
    warnings: number;
    messagesProcessed: number;
    messagesAccepted: number;
    messagesInvalid: number;
  };
}

export interface FeedOutcome {
  readonly status: 'DONE' | 'FATAL';
  readonly report: ProcessingReport;
}

let cachedSchema: { dir: string; validate: ValidateFunction | undefined } | undefined;

function officialValidator(modelsDir: string): ValidateFunction | undefined {
  if (cachedSchema?.dir === modelsDir) return cachedSchema.validate;
  const file = join(modelsDir, 'schemas', 'feeds', 'listings-feed-schema-v2.json');
  let validate: ValidateFunction | undefined;
  if (existsSync(file)) {
    const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    delete schema.$schema;
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    validate = ajv.compile(schema);
  }
  cachedSchema = { dir: modelsDir, validate };
  return validate;
}

type Message = {
  messageId?: unknown;
  sku?: unknown;
  operationType?: unknown;
  productType?: unknown;
  attributes?: unknown;
  patches?: unknown;
};

/** The schema's rules in code, for when ../shared is absent (and for messages the schema leaves open). */
function structuralIssues(doc: unknown): { feedLevel: string[]; perMessage: Map<number, string[]> } {
  const feedLevel: string[] = [];
  const perMessage = new Map<number, string[]>();
  const d = doc as { header?: { sellerId?: unknown; version?: unknown }; messages?: unknown };
  if (typeof d !== 'object' || d === null) return { feedLevel: ['The feed is not a JSON object.'], perMessage };
  if (typeof d.header?.sellerId !== 'string' || d.header.version !== '2.0')
    feedLevel.push("header.sellerId is required and header.version must be '2.0'.");
  if (!Array.isArray(d.messages) || d.messages.length < 1 || d.messages.length > 25_000)
    feedLevel.push('messages must hold 1 to 25000 messages.');
  for (const [index, raw] of (Array.isArray(d.messages) ? d.messages : []).entries()) {
    const m = raw as Message;
    const problems: string[] = [];
    if (!Number.isInteger(m.messageId) || (m.messageId as number) < 1)
      problems.push('messageId must be a positive integer.');
    if (typeof m.sku !== 'string' || !m.sku) problems.push('sku is required.');
    const op = m.operationType;
    if (!['UPDATE', 'PARTIAL_UPDATE', 'PATCH', 'DELETE'].includes(String(op)))
      problems.push('operationType must be UPDATE, PARTIAL_UPDATE, PATCH or DELETE.');
    if (
      (op === 'UPDATE' || op === 'PARTIAL_UPDATE') &&
      (typeof m.productType !== 'string' || typeof m.attributes !== 'object')
    )
      problems.push(`${String(op)} needs productType and attributes.`);
    if (op === 'PATCH' && (typeof m.productType !== 'string' || !Array.isArray(m.patches)))
      problems.push('PATCH needs productType and patches.');
    if (problems.length) perMessage.set(index, problems);
  }
  return { feedLevel, perMessage };
}

export function processListingsFeed(options: {
  feedId: string;
  sellerId: string;
  content: string;
  listings: ListingStore;
  modelsDir?: string;
}): FeedOutcome {
  const { feedId, sellerId, listings } = options;
  const report: ProcessingReport = {
    header: { sellerId, version: '2.0', feedId },
    issues: [],
    summary: { errors: 0, warnings: 0, messagesProcessed: 0, messagesAccepted: 0, messagesInvalid: 0 },
  };
  const fatal = (message: string): FeedOutcome => {
    report.issues.push({ code: 'SIM_FEED_INVALID', severity: 'ERROR', message });
    report.summary.errors++;
    return { status: 'FATAL', report };
  };
  let doc: { header?: { sellerId?: string }; messages?: Message[] };
  try {
    doc = JSON.parse(options.content) as typeof doc;
  } catch {
    return fatal('The feed document is not valid JSON.');
  }
  // Schema errors under /messages/<i> belong to that message; anything else rejects the whole feed.
  const perMessage = new Map<number, string[]>();
  const validate = officialValidator(options.modelsDir ?? DEFAULT_MODELS_DIR);
  const feedLevel: string[] = [];
  if (validate) {
    if (!validate(doc)) {
      for (const error of validate.errors ?? []) {
        const match = /^\/messages\/(\d+)/.exec(error.instancePath);
        if (match)
          perMessage.set(Number(match[1]), [
            ...(perMessage.get(Number(match[1])) ?? []),
            `${error.instancePath.replace(/^\/messages\/\d+/, '') || 'message'} ${error.message ?? 'is invalid'}`,
          ]);
        else feedLevel.push(`${error.instancePath || 'document'} ${error.message ?? 'is invalid'}`);
      }
    }
  } else {
    const structural = structuralIssues(doc);
    feedLevel.push(...structural.feedLevel);
    for (const [k, v] of structural.perMessage) perMessage.set(k, v);
  }
  if (feedLevel.length)
    return fatal(`The feed does not match the JSON_LISTINGS_FEED schema: ${feedLevel.slice(0, 5).join('; ')}.`);
  if (doc.header?.sellerId !== sellerId)
    return fatal(`header.sellerId ${String(doc.header?.sellerId)} is not the seller that submitted the feed.`);

  for (const [index, message] of (doc.messages ?? []).entries()) {
    report.summary.messagesProcessed++;
    const messageId = Number.isInteger(message.messageId) ? (message.messageId as number) : index + 1;
    const sku = typeof message.sku === 'string' && message.sku ? message.sku : undefined;
    const issues: ListingIssue[] = [];
    const schemaProblems = perMessage.get(index);
    if (schemaProblems)
      for (const problem of schemaProblems)
        issues.push({
          code: LISTING_ISSUE.badValue,
          severity: 'ERROR',
          message: `Message does not match the schema: ${problem}.`,
        });
    const listing = sku ? listings.get(sellerId, sku) : undefined;
    const op = message.operationType;
    if (!schemaProblems && sku) {
      if (!listing && (op === 'PATCH' || op === 'PARTIAL_UPDATE'))
        issues.push({
          code: LISTING_ISSUE.skuNotFound,
          severity: 'ERROR',
          message: `SKU '${sku}' does not exist for this seller; send an UPDATE with the full listing first.`,
        });
      else if (!listing && op === 'DELETE')
        issues.push({
          code: LISTING_ISSUE.skuNotFound,
          severity: 'WARNING',
          message: `SKU '${sku}' does not exist; nothing to delete.`,
        });
      else if (op === 'PATCH') issues.push(...listings.validatePatches(message.patches as PatchOperation[]));
      else if (op === 'UPDATE' || op === 'PARTIAL_UPDATE') {
        for (const [name, values] of Object.entries(message.attributes as Record<string, unknown>))
          issues.push(...listings.validateAttribute(name, values));
      }
    }
    const errors = issues.filter((i) => i.severity === 'ERROR');
    for (const issue of issues) {
      report.issues.push({
        messageId,
        ...(sku ? { sku } : {}),
        code: issue.code,
        severity: issue.severity,
        message: issue.message,
        ...(issue.attributeName ? { attributeName: issue.attributeName } : {}),
      });
      if (issue.severity === 'ERROR') report.summary.errors++;
      if (issue.severity === 'WARNING') report.summary.warnings++;
    }
    if (errors.length) {
      report.summary.messagesInvalid++;
      continue;
    }
    report.summary.messagesAccepted++;
    if (!sku) continue;
    if (op === 'DELETE') {
      if (listing) listings.listings.delete(listings.key(sellerId, sku));
    } else if (op === 'PATCH') listings.applyPatches(listing!, message.patches as PatchOperation[]);
    else if (op === 'UPDATE' || op === 'PARTIAL_UPDATE') {
      const target = listing ?? listings.create(sellerId, sku, String(message.productType));
      target.productType = String(message.productType);
      listings.replaceAttributes(
        target,
        message.attributes as Record<string, Record<string, unknown>[]>,
        op === 'PARTIAL_UPDATE',
      );
    }
  }
  return { status: 'DONE', report };
}
