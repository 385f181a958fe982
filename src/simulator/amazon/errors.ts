/**
 * SP-API error bodies: `{ errors: [{ code, message, details }] }` (ErrorList in every model). The codes and
 * messages are the ones Amazon answers with (e.g. the 429 body seen in client test fixtures, sp-api-facts.md §6).
 */
export interface SpApiError {
  readonly code: string;
  readonly message: string;
  readonly details?: string;
}

export class SimHttpError extends Error {
  readonly status: number;
  readonly errors: SpApiError[];

  constructor(status: number, code: string, message: string, details?: string) {
    super(message);
    this.name = 'SimHttpError';
    this.status = status;
    this.errors = [{ code, message, ...(details === undefined ? {} : { details }) }];
  }
}

export const invalidInput = (message: string, details?: string): SimHttpError =>
  new SimHttpError(400, 'InvalidInput', message, details);
export const notFound = (message: string): SimHttpError => new SimHttpError(404, 'NotFound', message);
export const unauthorized = (status: number, message: string): SimHttpError =>
  new SimHttpError(status, 'Unauthorized', message, '');
export const quotaExceeded = (): SimHttpError =>
  new SimHttpError(429, 'QuotaExceeded', 'You exceeded your quota for the requested resource.');
export const internalFailure = (): SimHttpError =>
  new SimHttpError(500, 'InternalFailure', 'We encountered an internal error. Please try again.');
export const serviceUnavailable = (): SimHttpError =>
  new SimHttpError(503, 'ServiceUnavailable', 'Service is temporarily unavailable. Please try again later.');
