import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { streamDocument, type FetchFn } from '../../../src/connectors/amazon/sp-api/http-client.ts';

/** A fetch answering with these chunks, one per read, optionally stalling after `stallAfter` chunks. */
function fetchOf(chunks: readonly Uint8Array[], init: { status?: number; stallAfter?: number } = {}): FetchFn {
  return async (_url, request) => {
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (init.stallAfter !== undefined && i >= init.stallAfter) {
          // Never answers: the watchdog must end it. The abort signal tears the stream down.
          return new Promise<void>((_resolve, reject) =>
            request.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
          );
        }
        if (i < chunks.length) controller.enqueue(chunks[i++]!);
        else controller.close();
        return undefined;
      },
    });
    return new Response(body, { status: init.status ?? 200 });
  };
}

const text = (n: number) => Array.from({ length: n }, (_, i) => `row ${i}\tvalue ${i}\n`).join('');
const split = (bytes: Buffer, size: number) =>
  Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
async function readAll(stream: AsyncIterable<unknown>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.from(c as Buffer));
  return Buffer.concat(parts).toString('utf8');
}

describe('streamDocument: a document as a stream, never whole in memory', () => {
  it('gunzips a GZIP document arriving in small chunks (even a 1-byte first chunk)', async () => {
    const plain = text(5000);
    const gz = gzipSync(Buffer.from(plain));
    const chunks = [gz.subarray(0, 1), ...split(gz.subarray(1), 997)];
    const stream = await streamDocument('https://s3/doc', {
      operation: 'reports.downloadReportDocument',
      compressionAlgorithm: 'GZIP',
      fetch: fetchOf(chunks),
    });
    expect(await readAll(stream)).toBe(plain);
  });

  it('passes through a document flagged GZIP that is not compressed, and an unflagged one', async () => {
    const plain = text(100);
    for (const compressionAlgorithm of ['GZIP', undefined]) {
      const stream = await streamDocument('https://s3/doc', {
        operation: 'op',
        compressionAlgorithm,
        fetch: fetchOf(split(Buffer.from(plain), 64)),
      });
      expect(await readAll(stream)).toBe(plain);
    }
  });

  it('a truncated gzip document fails the stream with SB_AMZ_RESPONSE_INVALID', async () => {
    const gz = gzipSync(Buffer.from(text(5000)));
    const stream = await streamDocument('https://s3/doc', {
      operation: 'reports.downloadReportDocument',
      compressionAlgorithm: 'GZIP',
      fetch: fetchOf([gz.subarray(0, Math.floor(gz.length / 2))]),
    });
    await expect(readAll(stream)).rejects.toMatchObject({ code: 'SB_AMZ_RESPONSE_INVALID' });
  });

  it('a transfer that stalls between two chunks fails with SB_AMZ_TIMEOUT', async () => {
    const stream = await streamDocument('https://s3/doc', {
      operation: 'reports.downloadReportDocument',
      timeoutMs: 200,
      fetch: fetchOf([Buffer.from('a'), Buffer.from('b')], { stallAfter: 1 }),
    });
    await expect(readAll(stream)).rejects.toMatchObject({ code: 'SB_AMZ_TIMEOUT' });
  });

  it('an error status is the SP-API error, before any byte is read', async () => {
    await expect(
      streamDocument('https://s3/doc', { operation: 'op', fetch: fetchOf([], { status: 403 }) }),
    ).rejects.toMatchObject({ status: 403 });
  });
});
