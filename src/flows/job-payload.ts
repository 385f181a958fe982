import { SellbridgeError } from '../core/errors.ts';

/** Reads a required non-empty string field of a job payload; lists every bad field in one error. */
export function parsePayload<K extends string>(
  queue: string,
  payload: unknown,
  fields: readonly K[],
): Record<K, string> {
  const record =
    typeof payload === 'object' && payload !== null && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : undefined;
  const bad = fields.filter((f) => typeof record?.[f] !== 'string' || (record[f] as string).trim() === '');
  if (!record || bad.length > 0) {
    throw new SellbridgeError(
      'SB_JOB_PAYLOAD_INVALID',
      `${queue} job payload: ${record ? bad.map((f) => `${f} must be a non-empty string`).join('; ') : 'must be an object'}`,
      {
        context: { queue, fields: record ? bad : [...fields] },
      },
    );
  }
  return Object.fromEntries(fields.map((f) => [f, (record[f] as string).trim()])) as Record<K, string>;
}
