import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import { createSettlementParser, type NumberFormat } from './index.ts';
import { isGzip } from '../sp-api/http-client.ts';
import type { SpApiClient } from '../sp-api/client.ts';
import { MappingError } from '../../../core/errors.ts';
import type { SettlementTransaction } from '../../../core/model/settlement.ts';
import type { SettlementFile, SettlementReports } from '../../../core/ports/settlement-reports.ts';

/** Amazon's report type of the flat-file V2 settlement report. */
export const SETTLEMENT_REPORT_TYPE = 'GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2';

/**
 * Settlement files for the flows: a file a user saved (plain or gzip, read as a stream in constant memory) and
 * Amazon's settlement reports through the SP-API client (getReports DONE since a watermark, getReportDocument,
 * then the document streamed: gunzipped when flagged and really gzip, parsed as it arrives).
 */
export interface SettlementReadOptions {
  /** `auto` (default) detects the number format per file. */
  readonly numberFormat?: 'auto' | NumberFormat;
}

const parserOptions = (options: SettlementReadOptions, onTransaction: (t: SettlementTransaction) => void) => ({
  keepTransactions: false,
  onTransaction,
  ...(options.numberFormat && options.numberFormat !== 'auto' ? { numberFormat: options.numberFormat } : {}),
});

/**
 * A gzip stream that fails (zlib says only "unexpected end of file") as a diagnosis that names the file, its size
 * and what to do. Other errors pass through.
 */
function gzipError(name: string, bytes: number, err: unknown): unknown {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (code === 'Z_BUF_ERROR') {
    return new MappingError(
      'SB_SETTLE_FILE_INVALID',
      `settlement file ${name}`,
      [
        {
          field: 'file',
          problem: `is a truncated gzip file (${bytes} bytes): the compressed data ends early, so the download or copy was cut off; download the report again (or copy the whole .gz) and import it again`,
        },
      ],
      { context: { bytes } },
    );
  }
  if (code === 'Z_DATA_ERROR') {
    return new MappingError(
      'SB_SETTLE_FILE_INVALID',
      `settlement file ${name}`,
      [
        {
          field: 'file',
          problem: `is a damaged gzip file (${bytes} bytes): it starts like gzip but the compressed data is corrupt; download the report again`,
        },
      ],
      { context: { bytes } },
    );
  }
  return err;
}

/**
 * Parses a stream of text chunks. A promise `onTransaction` returns (a batch being written) is awaited before the
 * next chunk is read: the consumer's backpressure, so what waits in memory is bounded by one chunk's rows.
 */
async function parseStream(
  stream: AsyncIterable<unknown>,
  options: SettlementReadOptions,
  onTransaction: (t: SettlementTransaction) => void | PromiseLike<void>,
) {
  let waiting: Promise<unknown>[] = [];
  const settle = async () => {
    if (waiting.length === 0) return;
    const all = waiting;
    waiting = [];
    await Promise.all(all);
  };
  const parser = createSettlementParser(
    parserOptions(options, (t) => {
      const pending = onTransaction(t);
      if (pending) {
        const p = Promise.resolve(pending);
        // Awaited below; the no-op handler only keeps a failure while the chunk is parsed from being "unhandled".
        p.catch(() => undefined);
        waiting.push(p);
      }
    }),
  );
  for await (const chunk of stream) {
    parser.write(chunk as string);
    await settle();
  }
  const settlement = parser.end();
  await settle();
  return settlement;
}

/** A settlement file on disk; gzip is recognised by its first bytes. */
export function settlementFileFromPath(path: string, options: SettlementReadOptions = {}): SettlementFile {
  return {
    source: `file:${basename(path)}`,
    async read(onTransaction) {
      const handle = await open(path, 'r');
      const head = Buffer.alloc(2);
      try {
        await handle.read(head, 0, 2, 0);
      } finally {
        await handle.close();
      }
      const raw = createReadStream(path, { highWaterMark: 1 << 16 });
      const gzip = isGzip(head);
      const stream = gzip ? raw.pipe(createGunzip()) : raw;
      stream.setEncoding('utf8');
      try {
        return await parseStream(stream, options, onTransaction);
      } catch (err) {
        if (gzip) throw gzipError(basename(path), (await stat(path)).size, err);
        throw err;
      } finally {
        raw.destroy();
      }
    },
  };
}

/**
 * A settlement document read from a stream that `open` starts anew for every read (a download: the report is
 * parsed as it arrives, so memory does not grow with its size).
 */
export function settlementFileFromStream(
  source: string,
  openStream: () => Promise<Readable>,
  options: SettlementReadOptions = {},
): SettlementFile {
  return {
    source,
    async read(onTransaction) {
      const stream = await openStream();
      stream.setEncoding('utf8');
      try {
        return await parseStream(stream, options, onTransaction);
      } finally {
        stream.destroy();
      }
    },
  };
}

/** Settlement reports of the connection's seller through the SP-API client. */
export function settlementReportsFromClient(
  clientFor: (connectionId: string) => SpApiClient,
  options: SettlementReadOptions = {},
): SettlementReports {
  return {
    async list(connectionId, query) {
      const client = clientFor(connectionId);
      // With a nextToken Amazon wants nothing else.
      const page = query.nextToken
        ? await client.getReports({ nextToken: query.nextToken })
        : await client.getReports({
            reportTypes: [SETTLEMENT_REPORT_TYPE],
            processingStatuses: ['DONE'],
            createdSince: query.createdSince,
            pageSize: 100,
          });
      const reports = page.items
        .filter((r) => r.reportType === SETTLEMENT_REPORT_TYPE && r.processingStatus === 'DONE' && r.reportDocumentId)
        .map((r) => ({
          reportId: r.reportId,
          reportDocumentId: r.reportDocumentId!,
          createdTime: new Date(r.createdTime).toISOString(),
        }));
      return { reports, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    },
    async open(connectionId, ref) {
      const client = clientFor(connectionId);
      const document = await client.getReportDocument(ref.reportDocumentId);
      return settlementFileFromStream(`report:${ref.reportId}`, () => client.streamReportDocument(document), options);
    },
  };
}
