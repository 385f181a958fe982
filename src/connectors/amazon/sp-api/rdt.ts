import * as wire from '../wire.ts';
import { parseWire } from './client.ts';
import { HttpError, type SpApiTransport } from './http-client.ts';

export interface RestrictedDataToken {
  readonly token: string;
  readonly expiresInMs: number;
}

/**
 * Tokens API 2021-03-01 `createRestrictedDataToken` (1 rps, burst 10). Needed only by restricted v0 reads and
 * restricted report documents; Orders 2026-01-01 returns PII by role and `includedData` instead
 * (sp-api-facts.md §3). The token goes in `x-amz-access-token` (SpApiRequest.restrictedDataToken).
 * @throws the transport's HttpError kinds; SB_AMZ_RESPONSE_INVALID.
 */
export async function createRestrictedDataToken(
  transport: SpApiTransport,
  request: {
    readonly restrictedResources: readonly wire.AmazonRestrictedResource[];
    readonly targetApplication?: string;
  },
): Promise<RestrictedDataToken> {
  const operation = 'tokens.createRestrictedDataToken';
  const response = await transport.send({
    operation,
    method: 'POST',
    path: '/tokens/2021-03-01/restrictedDataToken',
    body: request,
  });
  const body = parseWire(wire.amazonCreateRestrictedDataTokenResponse, response, operation);
  if (!body.restrictedDataToken) {
    throw new HttpError('SB_AMZ_RESPONSE_INVALID', `${operation} answered without a restrictedDataToken`, {
      operation,
      status: response.status,
      requestId: response.requestId,
    });
  }
  // The model leaves expiresIn optional; Amazon documents RDTs as valid for one hour.
  return { token: body.restrictedDataToken, expiresInMs: (body.expiresIn ?? 3600) * 1000 };
}
