/**
 * The conformance validator: checks SP-API requests and responses against Amazon's official Swagger 2.0 models in
 * `../shared/sp-api-models/models`, and notification and feed documents against the JSON schemas in
 * `../shared/sp-api-models/schemas`. Models are read at test time and never copied into the repository.
 *
 * Validation uses ajv with `strict: false` (the models carry `x-*` extensions) and ajv-formats (`date-time`),
 * resolving `#/definitions/...` inside each model (VERIFIED.md: the 85 static sandbox examples pass this way).
 *
 * ```ts
 * const conformance = loadConformance();
 * const result = conformance.validateExchange(exchange);   // from the simulator's onExchange hook
 * expect(result.errors).toEqual([]);
 * conformance.summary();  // { operations: [...], exchanges: 42, messages: 7 }
 * ```
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { sharedPath } from './shared.ts';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

interface SwaggerParameter {
  name: string;
  in: 'query' | 'path' | 'header' | 'body' | 'formData';
  required?: boolean;
  type?: string;
  items?: Record<string, unknown>;
  schema?: Record<string, unknown>;
  [key: string]: unknown;
}

interface SwaggerOperation {
  operationId: string;
  parameters?: SwaggerParameter[];
  responses: Record<string, { schema?: Record<string, unknown>; headers?: Record<string, unknown> }>;
}

export interface ModelOperation {
  readonly model: string;
  readonly operationId: string;
  readonly method: string;
  readonly template: string;
  readonly operation: SwaggerOperation;
  readonly pathParameters: readonly SwaggerParameter[];
  readonly regex: RegExp;
  readonly paramNames: readonly string[];
  readonly literalSegments: number;
}

/** What the validator needs from an exchange (the simulator's `Exchange` fits). */
export interface ExchangeLike {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string | string[]>>;
  readonly requestBody: unknown;
  readonly status: number;
  readonly responseHeaders: Readonly<Record<string, unknown>>;
  readonly responseBody: unknown;
}

export interface ConformanceResult {
  /** `<model file>#<operationId>`, or undefined when no model operation matches. */
  readonly operation: string | undefined;
  readonly errors: string[];
  /** Things that are allowed but worth knowing (e.g. a status the model does not declare but we accept). */
  readonly notes: string[];
}

export interface ConformanceSummary {
  readonly operations: string[];
  readonly exchanges: number;
  readonly requestsValidated: number;
  readonly responsesValidated: number;
  readonly messages: number;
  readonly messagesByKind: Record<string, number>;
}

export interface ConformanceOptions {
  /** Statuses a server may send although the operation does not declare them; validated as an ErrorList. */
  readonly undeclaredErrorStatuses?: readonly number[];
  /** Reject query parameters the model does not declare (default true). */
  readonly rejectUnknownQuery?: boolean;
}

const NOTIFICATION_SCHEMAS: Record<string, string> = {
  ORDER_CHANGE: 'OrderChangeNotification.json',
  FEED_PROCESSING_FINISHED: 'FeedProcessingFinishedNotification.json',
  REPORT_PROCESSING_FINISHED: 'ReportProcessingFinishedNotification.json',
  ANY_OFFER_CHANGED: 'AnyOfferChangedNotification.json',
  FBA_INVENTORY_AVAILABILITY_CHANGES: 'FBAInventoryAvailabilityChangeNotification.json',
  LISTINGS_ITEM_MFN_QUANTITY_CHANGE: 'ListingsItemMfnQuantityChange.json',
  LISTINGS_ITEM_STATUS_CHANGE: 'ListingsItemStatusChangeNotification.json',
  PRICING_HEALTH: 'PricingHealthNotification.json',
};

/**
 * LISTINGS_ITEM_ISSUES_CHANGE is not among the copied models (../shared/sp-api-models); these are the constraints
 * of Amazon's published `ListingsItemIssuesChangeNotification_2023-12-13.json`: required envelope and metadata
 * fields, required SellerId, Sku, Severities (NONE, ERROR, WARNING; unique), EnforcementActions unique strings.
 */
const LISTINGS_ITEM_ISSUES_CHANGE_SCHEMA = {
  type: 'object',
  required: [
    'NotificationVersion',
    'NotificationType',
    'PayloadVersion',
    'EventTime',
    'Payload',
    'NotificationMetadata',
  ],
  properties: {
    NotificationVersion: { type: 'string' },
    NotificationType: { type: 'string', enum: ['LISTINGS_ITEM_ISSUES_CHANGE'] },
    PayloadVersion: { type: 'string' },
    EventTime: { type: 'string', format: 'date-time' },
    Payload: {
      type: 'object',
      required: ['SellerId', 'Sku', 'Severities'],
      properties: {
        SellerId: { type: 'string' },
        MarketplaceId: { type: 'string' },
        Asin: { type: 'string' },
        Sku: { type: 'string' },
        Severities: { type: 'array', uniqueItems: true, items: { type: 'string', enum: ['NONE', 'ERROR', 'WARNING'] } },
        EnforcementActions: { type: 'array', uniqueItems: true, items: { type: 'string' } },
      },
    },
    NotificationMetadata: {
      type: 'object',
      required: ['ApplicationId', 'SubscriptionId', 'PublishTime', 'NotificationId'],
      properties: {
        ApplicationId: { type: 'string' },
        SubscriptionId: { type: 'string' },
        PublishTime: { type: 'string', format: 'date-time' },
        NotificationId: { type: 'string' },
      },
    },
  },
};

function dropIds(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(dropIds);
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  if (typeof record.$id === 'string') delete record.$id;
  for (const v of Object.values(record)) dropIds(v);
}

function newAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  return ajv;
}

function formatErrors(where: string, validate: ValidateFunction): string[] {
  return (validate.errors ?? []).map(
    (e) =>
      `${where}${e.instancePath || ''} ${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`,
  );
}

/** Drops Swagger-only keys so a parameter can be validated as a JSON schema. */
function parameterSchema(param: SwaggerParameter): Record<string, unknown> {
  const schema: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(param)) {
    if (
      ['name', 'in', 'required', 'description', 'collectionFormat', 'allowEmptyValue'].includes(key) ||
      key.startsWith('x-')
    )
      continue;
    schema[key] = value;
  }
  return schema;
}

function coerce(param: SwaggerParameter, raw: string | string[]): unknown {
  const scalar = (text: string, type: unknown): unknown => {
    if (type === 'integer' || type === 'number')
      return text.trim() === '' || Number.isNaN(Number(text)) ? text : Number(text);
    if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
    return text;
  };
  if (param.type === 'array') {
    const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((v) =>
      param.collectionFormat === 'multi' ? [v] : v.split(','),
    );
    return parts.map((p) => scalar(p, param.items?.type));
  }
  return scalar(Array.isArray(raw) ? raw[0]! : raw, param.type);
}

export class SpApiConformance {
  readonly modelsDir: string;
  readonly #options: ConformanceOptions;
  readonly #operations: ModelOperation[] = [];
  readonly #ajvByModel = new Map<string, Ajv>();
  readonly #cache = new Map<string, ValidateFunction>();
  readonly #schemaAjv = newAjv();
  #issuesChange: ValidateFunction | undefined;
  readonly #seenOperations = new Set<string>();
  #exchanges = 0;
  #requests = 0;
  #responses = 0;
  readonly #messages = new Map<string, number>();

  constructor(modelsDir: string = sharedPath('sp-api-models'), options: ConformanceOptions = {}) {
    this.modelsDir = modelsDir;
    this.#options = options;
    const dir = join(modelsDir, 'models');
    for (const folder of readdirSync(dir)) {
      for (const file of readdirSync(join(dir, folder)).filter((f) => f.endsWith('.json'))) {
        const id = `${folder}/${file}`;
        const model = JSON.parse(readFileSync(join(dir, folder, file), 'utf8')) as {
          paths: Record<string, Record<string, unknown>>;
        };
        const ajv = newAjv();
        ajv.addSchema(model as object, `urn:sp-api:${id}`);
        this.#ajvByModel.set(id, ajv);
        for (const [template, item] of Object.entries(model.paths)) {
          const shared = (item.parameters as SwaggerParameter[] | undefined) ?? [];
          for (const method of HTTP_METHODS) {
            const operation = item[method] as SwaggerOperation | undefined;
            if (!operation?.responses) continue;
            const paramNames: string[] = [];
            const pattern = template
              .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
              .replace(/\{([^}]+)\}/g, (_m, name: string) => {
                paramNames.push(name);
                return '([^/]+)';
              });
            this.#operations.push({
              model: id,
              operationId: operation.operationId,
              method: method.toUpperCase(),
              template,
              operation: {
                ...operation,
                parameters: [
                  ...shared.filter(
                    (s) => !(operation.parameters ?? []).some((p) => p.name === s.name && p.in === s.in),
                  ),
                  ...(operation.parameters ?? []),
                ],
              },
              pathParameters: shared,
              regex: new RegExp(`^${pattern}$`),
              paramNames,
              literalSegments: template.split('/').filter((s) => s && !s.startsWith('{')).length,
            });
          }
        }
      }
    }
  }

  /** All model operations, as `<model>#<operationId>`. */
  get operations(): readonly ModelOperation[] {
    return this.#operations;
  }

  findOperation(method: string, path: string): ModelOperation | undefined {
    const candidates = this.#operations.filter((o) => o.method === method.toUpperCase() && o.regex.test(path));
    // Prefer the most literal template: /subscriptions/{type} must not swallow a literal route.
    return candidates.sort((a, b) => b.literalSegments - a.literalSegments)[0];
  }

  #validator(model: string, schema: Record<string, unknown>): ValidateFunction {
    const key = `${model}::${JSON.stringify(schema)}`;
    let validate = this.#cache.get(key);
    if (!validate) {
      const ajv = this.#ajvByModel.get(model)!;
      // Rewrite local refs to point into the model added under its urn.
      const rewritten = JSON.parse(
        JSON.stringify(schema).replace(/"#\/definitions\//g, `"urn:sp-api:${model}#/definitions/`),
      ) as object;
      validate = ajv.compile(rewritten);
      this.#cache.set(key, validate);
    }
    return validate;
  }

  validateRequest(exchange: ExchangeLike, op: ModelOperation): string[] {
    const errors: string[] = [];
    const params = op.operation.parameters ?? [];
    const match = op.regex.exec(exchange.path)!;
    const pathValues = Object.fromEntries(op.paramNames.map((n, i) => [n, decodeURIComponent(match[i + 1]!)]));
    for (const param of params) {
      if (param.in === 'header' || param.in === 'formData') continue;
      let value: unknown;
      if (param.in === 'path') value = pathValues[param.name];
      else if (param.in === 'query') {
        const raw = exchange.query[param.name];
        value = raw === undefined ? undefined : coerce(param, raw);
      } else value = exchange.requestBody;
      if (value === undefined || value === null || value === '') {
        if (param.required) errors.push(`request ${param.in} parameter ${param.name} is required`);
        continue;
      }
      const schema = param.in === 'body' ? param.schema! : parameterSchema(param);
      const validate = this.#validator(op.model, schema);
      if (!validate(value)) errors.push(...formatErrors(`request ${param.in} ${param.name}`, validate));
    }
    if (this.#options.rejectUnknownQuery ?? true) {
      for (const name of Object.keys(exchange.query)) {
        if (!params.some((p) => p.in === 'query' && p.name === name))
          errors.push(`request query parameter ${name} is not declared by ${op.operationId}`);
      }
    }
    return errors;
  }

  validateResponse(exchange: ExchangeLike, op: ModelOperation): { errors: string[]; notes: string[] } {
    const errors: string[] = [];
    const notes: string[] = [];
    const declared = op.operation.responses[String(exchange.status)];
    const header = (name: string): unknown => {
      const key = Object.keys(exchange.responseHeaders).find((k) => k.toLowerCase() === name.toLowerCase());
      return key === undefined ? undefined : exchange.responseHeaders[key];
    };
    if (!declared) {
      if ((this.#options.undeclaredErrorStatuses ?? [401]).includes(exchange.status)) {
        notes.push(`${op.operationId} does not declare status ${exchange.status}; checked as an ErrorList`);
        const body = exchange.responseBody as { errors?: { code?: unknown; message?: unknown }[] } | undefined;
        if (
          !body ||
          !Array.isArray(body.errors) ||
          !body.errors.every((e) => typeof e.code === 'string' && typeof e.message === 'string')
        ) {
          errors.push(`response ${exchange.status} is not an ErrorList`);
        }
      } else errors.push(`status ${exchange.status} is not declared for ${op.operationId}`);
      return { errors, notes };
    }
    for (const name of Object.keys(declared.headers ?? {})) {
      // 429/5xx answers may come from a layer in front of the rate limiter; Amazon documents RequestId on all of them.
      if (name.toLowerCase() === 'x-amzn-ratelimit-limit') continue;
      if (header(name) === undefined) errors.push(`response header ${name} is missing`);
    }
    if (!declared.schema) {
      if (exchange.responseBody !== undefined && exchange.responseBody !== '')
        errors.push(`status ${exchange.status} declares no body but one was sent`);
      return { errors, notes };
    }
    if (typeof exchange.responseBody !== 'object' || exchange.responseBody === null) {
      errors.push(`response ${exchange.status} body is not JSON`);
      return { errors, notes };
    }
    const validate = this.#validator(op.model, declared.schema);
    if (!validate(exchange.responseBody)) errors.push(...formatErrors(`response ${exchange.status} body`, validate));
    return { errors, notes };
  }

  /** Validates one SP-API exchange (request and response) and counts it. */
  validateExchange(exchange: ExchangeLike): ConformanceResult {
    const op = this.findOperation(exchange.method, exchange.path);
    if (!op)
      return {
        operation: undefined,
        errors: [`no model operation for ${exchange.method} ${exchange.path}`],
        notes: [],
      };
    const name = `${op.model}#${op.operationId}`;
    this.#exchanges++;
    this.#seenOperations.add(name);
    const requestErrors = this.validateRequest(exchange, op);
    this.#requests++;
    const response = this.validateResponse(exchange, op);
    this.#responses++;
    return { operation: name, errors: [...requestErrors, ...response.errors], notes: response.notes };
  }

  #schema(relative: string): ValidateFunction {
    const key = `schema::${relative}`;
    let validate = this.#cache.get(key);
    if (!validate) {
      const schema = JSON.parse(readFileSync(join(this.modelsDir, 'schemas', relative), 'utf8')) as Record<
        string,
        unknown
      >;
      // Several notification schemas share the placeholder $id http://example.com/example.json, and the FBA
      // availability schema repeats nested $ids (Ajv refuses ambiguous ones): $ids are dropped, the schema is one file.
      if (relative.startsWith('notifications/')) dropIds(schema);
      delete schema.$id;
      // Amazon's schema bug (sp-api-facts.md §11.2): the enum says LISTINGS_ITEM_STATUS_CHANGED, the type
      // Amazon sends (and its own example) is LISTINGS_ITEM_STATUS_CHANGE; both are accepted.
      const typeProp = (schema.properties as Record<string, { enum?: string[] }> | undefined)?.NotificationType;
      if (typeProp?.enum?.includes('LISTINGS_ITEM_STATUS_CHANGED')) typeProp.enum.push('LISTINGS_ITEM_STATUS_CHANGE');
      delete schema.$schema;
      validate = this.#schemaAjv.compile(schema);
      this.#cache.set(key, validate);
    }
    return validate;
  }

  #count(kind: string): void {
    this.#messages.set(kind, (this.#messages.get(kind) ?? 0) + 1);
  }

  /** Validates a notification document (the SQS body or the EventBridge `detail`). */
  validateNotification(document: unknown): string[] {
    const doc = document as Record<string, unknown>;
    const type = String(doc?.NotificationType ?? doc?.notificationType ?? '');
    if (type === 'LISTINGS_ITEM_ISSUES_CHANGE') {
      this.#issuesChange ??= this.#schemaAjv.compile(LISTINGS_ITEM_ISSUES_CHANGE_SCHEMA);
      this.#count(`notification:${type}`);
      return this.#issuesChange(document) ? [] : formatErrors(`notification ${type}`, this.#issuesChange);
    }
    const file = NOTIFICATION_SCHEMAS[type];
    if (!file) return [`unknown notification type ${type || '(none)'}`];
    const validate = this.#schema(`notifications/${file}`);
    this.#count(`notification:${type}`);
    return validate(document) ? [] : formatErrors(`notification ${type}`, validate);
  }

  /** Validates a JSON_LISTINGS_FEED document. */
  validateListingsFeed(document: unknown): string[] {
    const validate = this.#schema('feeds/listings-feed-schema-v2.json');
    this.#count('feed:JSON_LISTINGS_FEED');
    return validate(document) ? [] : formatErrors('JSON_LISTINGS_FEED', validate);
  }

  /** Validates a JSON_LISTINGS_FEED processing report. */
  validateProcessingReport(document: unknown): string[] {
    const validate = this.#schema('feeds/listings-feed-processing-report-schema-v2.json');
    this.#count('feed:processing-report');
    return validate(document) ? [] : formatErrors('processing report', validate);
  }

  summary(): ConformanceSummary {
    const messagesByKind = Object.fromEntries(this.#messages);
    return {
      operations: [...this.#seenOperations].sort(),
      exchanges: this.#exchanges,
      requestsValidated: this.#requests,
      responsesValidated: this.#responses,
      messages: [...this.#messages.values()].reduce((a, b) => a + b, 0),
      messagesByKind,
    };
  }
}

export function loadConformance(options: ConformanceOptions = {}, modelsDir?: string): SpApiConformance {
  return new SpApiConformance(modelsDir, options);
}
