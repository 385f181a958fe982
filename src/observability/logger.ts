import { pino, type Logger, type DestinationStream } from 'pino';
import { createWindowsEventLogStream } from './windows-event-log.ts';

export type { Logger } from 'pino';

/**
 * Paths redacted in every log line, wherever they appear one or two levels deep. Secrets (tokens, passwords,
 * client secrets) and buyer PII (names, addresses, phone numbers, e-mail) must never reach a log.
 */
export const REDACTED_KEYS = [
  'password',
  'secret',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'lwaClientSecret',
  'clientSecret',
  'client_secret',
  'authorization',
  'Authorization',
  'apiKey',
  'x-api-key',
  'x-amz-access-token',
  'buyerName',
  'BuyerName',
  'buyerEmail',
  'BuyerEmail',
  'email',
  'phone',
  'Phone',
  'name',
  'Name',
  'address',
  'shippingAddress',
  'ShippingAddress',
  'AddressLine1',
  'AddressLine2',
  'AddressLine3',
  'addressLine1',
  'addressLine2',
  'addressLine3',
  'buyerInfo',
  'BuyerInfo',
  'recipient',
  // Canonical and Sage ship-to/bill-to blocks carry the buyer's address lines.
  'shipTo',
  'ShipTo',
  'billTo',
  'BillTo',
  'payload',
] as const;

const REDACT_PATHS = REDACTED_KEYS.flatMap((k) => {
  const key = /^[A-Za-z_$][\w$]*$/.test(k) ? k : `["${k}"]`;
  const dot = key.startsWith('[') ? '' : '.';
  return [key, `*${dot}${key}`, `*.*${dot}${key}`];
});

export interface LoggerOptions {
  readonly level: string;
  readonly format?: 'json' | 'pretty';
  /** Where lines go (default stdout); tests pass a capture stream. */
  readonly destination?: DestinationStream;
  /**
   * Also write `error` and `fatal` lines to the Windows Application event log (on Windows only; ignored
   * elsewhere). Tests pass the stream to write to instead.
   */
  readonly windowsEventLog?: boolean | DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'sellbridge' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destinationOf(options),
  );
}

function destinationOf(options: LoggerOptions): DestinationStream {
  const main = options.destination ?? pino.destination({ dest: 1, sync: false });
  const eventLog =
    typeof options.windowsEventLog === 'object'
      ? options.windowsEventLog
      : options.windowsEventLog === true && process.platform === 'win32'
        ? createWindowsEventLogStream()
        : undefined;
  if (!eventLog) return main;
  // The logger's own level still filters first; the main stream takes whatever passes it.
  return pino.multistream([
    { level: 'trace', stream: main },
    { level: 'error', stream: eventLog },
  ]);
}

/** A logger that drops everything (CLI commands that print their own output). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
