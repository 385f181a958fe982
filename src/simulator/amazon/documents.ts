import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { applyFault } from './http.ts';
import type { SimulatorContext } from './types.ts';

/**
 * Feed and report documents behind presigned URLs, as Amazon serves them from S3: `createFeedDocument` hands out
 * an upload URL (PUT, no SP-API auth), result and report documents are downloaded from a URL that expires
 * after 5 minutes (simulated time). A document flagged `GZIP` is gzip-compressed unless a fault says otherwise.
 */
export interface SimDocument {
  readonly documentId: string;
  readonly sellerId: string;
  readonly kind: 'feed-input' | 'feed-result' | 'report';
  readonly contentType: string;
  content: Buffer | undefined;
  /** What getFeedDocument/getReportDocument announce. */
  compressionAlgorithm: 'GZIP' | undefined;
  signature: string;
  urlExpiresAtMs: number;
}

/** What can go wrong with the next produced document (fault injection). */
export type DocumentFault = 'gzip-flag-not-compressed' | 'truncated' | 'not-json';

const URL_TTL_MS = 5 * 60_000;

export class DocumentStore {
  readonly documents = new Map<string, SimDocument>();
  readonly #sim: SimulatorContext;
  readonly #faults: DocumentFault[] = [];

  constructor(sim: SimulatorContext) {
    this.#sim = sim;
  }

  injectFault(fault: DocumentFault, count = 1): void {
    for (let i = 0; i < count; i++) this.#faults.push(fault);
  }

  create(sellerId: string, kind: SimDocument['kind'], contentType: string): SimDocument {
    const prefix = kind === 'report' ? 'amzn1.spdoc.1.4.na' : 'amzn1.tortuga.4.na';
    const doc: SimDocument = {
      documentId: `${prefix}.${this.#sim.idPrng.uuid()}.${this.#sim.idPrng.alnum(12)}`,
      sellerId,
      kind,
      contentType,
      content: undefined,
      compressionAlgorithm: undefined,
      signature: this.#sim.idPrng.alnum(32).toLowerCase(),
      urlExpiresAtMs: 0,
    };
    this.documents.set(doc.documentId, doc);
    return doc;
  }

  /** Stores produced content (result/report), compressing when asked and applying a pending document fault. */
  produce(doc: SimDocument, text: string, gzip: boolean): void {
    const fault = this.#faults.shift();
    let body = Buffer.from(
      fault === 'truncated'
        ? text.slice(0, Math.max(1, Math.floor(text.length / 2)))
        : fault === 'not-json'
          ? `<html>${text.slice(0, 20)}`
          : text,
      'utf8',
    );
    if (gzip || fault === 'gzip-flag-not-compressed') {
      doc.compressionAlgorithm = 'GZIP';
      if (fault !== 'gzip-flag-not-compressed') body = gzipSync(body);
    }
    doc.content = body;
  }

  /** A fresh presigned URL (valid 5 simulated minutes). */
  url(doc: SimDocument, base: string, contentEncodingHeader = false): string {
    doc.urlExpiresAtMs = this.#sim.now() + this.#sim.scaled(URL_TTL_MS);
    const query = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Expires': '300',
      'X-Amz-Signature': doc.signature,
    });
    if (contentEncodingHeader) query.set('response-content-encoding', 'gzip');
    return `${base}/sim-s3/${encodeURIComponent(doc.documentId)}?${query}`;
  }
}

function s3Error(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'application/xml')
    .send(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

export function registerDocumentRoutes(app: FastifyInstance, sim: SimulatorContext, store: DocumentStore): void {
  // Own scope: uploads are raw bytes whatever their content type (Amazon stores them as given).
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    const lookup = (params: unknown, query: unknown, reply: FastifyReply): SimDocument | undefined => {
      const doc = store.documents.get(decodeURIComponent((params as { id: string }).id));
      const signature = (query as Record<string, string>)['X-Amz-Signature'];
      if (!doc || signature !== doc.signature) {
        s3Error(
          reply,
          403,
          'SignatureDoesNotMatch',
          'The request signature we calculated does not match the signature you provided.',
        );
        return undefined;
      }
      if (doc.urlExpiresAtMs <= sim.now()) {
        s3Error(reply, 403, 'AccessDenied', 'Request has expired');
        return undefined;
      }
      return doc;
    };

    scope.put('/sim-s3/:id', { config: { kind: 'document' } }, async (request, reply) => {
      if (await applyFault(sim, 'document', reply)) return reply;
      const doc = lookup(request.params, request.query, reply);
      if (!doc) return reply;
      if (doc.kind !== 'feed-input') return s3Error(reply, 403, 'AccessDenied', 'This URL is for download only.');
      doc.content = Buffer.isBuffer(request.body) ? request.body : Buffer.from(String(request.body ?? ''), 'utf8');
      sim.events.emit('document-uploaded', doc);
      return reply
        .code(200)
        .header('ETag', `"${doc.signature.slice(0, 16)}"`)
        .send();
    });

    scope.get('/sim-s3/:id', { config: { kind: 'document' } }, async (request, reply) => {
      if (await applyFault(sim, 'document', reply)) return reply;
      const doc = lookup(request.params, request.query, reply);
      if (!doc) return reply;
      if (!doc.content) return s3Error(reply, 404, 'NoSuchKey', 'The specified key does not exist.');
      const contentEncoding = (request.query as Record<string, string>)['response-content-encoding'];
      if (contentEncoding === 'gzip' && doc.compressionAlgorithm === 'GZIP') reply.header('content-encoding', 'gzip');
      return reply.code(200).header('content-type', doc.contentType).send(doc.content);
    });
  });
}
