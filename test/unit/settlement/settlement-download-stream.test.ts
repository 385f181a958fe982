import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSettlementFile } from '../../../bench/lib/settlement-file.ts';
import { settlementReportsFromClient } from '../../../src/connectors/amazon/settlement/settlement-files.ts';
import type { SpApiClient } from '../../../src/connectors/amazon/sp-api/client.ts';
import { streamDocument, type FetchFn } from '../../../src/connectors/amazon/sp-api/http-client.ts';

/**
 * The download path of a settlement import (issue 15): the report document goes from the HTTP body through gunzip
 * into the parser in small chunks, with backpressure, so the importer has rows long before the body is fetched and
 * no buffer of the whole document is ever made.
 */
const dir = mkdtempSync(join(tmpdir(), 'sb-settle-dl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the stream buffers between the body and the parser may hold ahead of it (a few highWaterMarks). */
const READ_AHEAD_BYTES = 160 * 1024;

/** A presigned-URL fetch serving `bytes` in `size`-byte chunks, one per pull, counting the pulls. */
function servedInChunks(bytes: Buffer, size: number) {
  const served = { pulls: 0, chunks: Math.ceil(bytes.length / size), largest: 0 };
  const fetch: FetchFn = async () =>
    new Response(
      new ReadableStream<Uint8Array>({
        pull(controller) {
          if (served.pulls === served.chunks) return controller.close();
          const chunk = bytes.subarray(served.pulls * size, (served.pulls + 1) * size);
          served.pulls += 1;
          served.largest = Math.max(served.largest, chunk.length);
          controller.enqueue(chunk);
        },
      }),
      { status: 200 },
    );
  return { served, fetch };
}

function clientServing(fetch: FetchFn, compressionAlgorithm: 'GZIP' | undefined): SpApiClient {
  const document = {
    reportDocumentId: 'D1',
    url: 'https://s3.example/settlement',
    ...(compressionAlgorithm ? { compressionAlgorithm } : {}),
  };
  return {
    getReportDocument: async () => document,
    streamReportDocument: (d: typeof document) =>
      streamDocument(d.url, {
        operation: 'reports.downloadReportDocument',
        compressionAlgorithm: d.compressionAlgorithm,
        fetch,
      }),
  } as unknown as SpApiClient;
}

describe('settlement report download: streamed into the parser', () => {
  it.each([
    ['GZIP', 'GZIP' as const],
    ['no compressionAlgorithm (plain text)', undefined],
  ])(
    '%s: the importer gets rows while most of the body is still unfetched, and every row in the end',
    async (_, algo) => {
      const file = join(dir, 'settlement.tsv');
      // Gzip packs these generated rows about 22 to 1: the GZIP document is made larger so its body is too.
      const generated = await generateSettlementFile(file, (algo === 'GZIP' ? 12 : 3) * 1024 * 1024);
      const text = readFileSync(file);
      const body = algo === 'GZIP' ? gzipSync(text) : text;
      const chunkBytes = algo === 'GZIP' ? 4096 : 32 * 1024;
      const { served, fetch } = servedInChunks(body, chunkBytes);
      expect(served.chunks).toBeGreaterThan(40);

      const reports = settlementReportsFromClient(() => clientServing(fetch, algo));
      const opened = await reports.open('default', { reportId: 'R1', reportDocumentId: 'D1' });
      const pullsAt: number[] = [];
      let rows = 0;
      const settlement = await opened.read(async () => {
        rows += 1;
        if (rows === 1 || rows === Math.floor(generated.rows / 2)) pullsAt.push(served.pulls);
        // The consumer is slow now and then (a batch written to the store): the reader must wait for it.
        if (rows % 5000 === 0) await new Promise((resolve) => setImmediate(resolve));
      });

      expect(rows).toBe(generated.rows);
      expect(settlement.settlementId).toBe('99999999001');
      expect(served.pulls).toBe(served.chunks);
      // At the first row only what the streams' own buffers hold (some 64 KB each) had been fetched: no
      // download-then-parse, and no read-ahead that grows with the document.
      expect(body.length).toBeGreaterThan(3 * READ_AHEAD_BYTES);
      expect(pullsAt[0]! * chunkBytes).toBeLessThanOrEqual(READ_AHEAD_BYTES);
      // Halfway through the rows, the body was not yet all fetched: the parser's pace sets the download's.
      expect(pullsAt[1]).toBeLessThan(served.chunks);
      expect(served.largest).toBeLessThanOrEqual(chunkBytes);
    },
  );
});
