import { z } from 'zod';

/**
 * Field helpers for the config schema. Every leaf gets a description and a default (or is marked
 * optional), so `docs/configuration.md` and `sellbridge init` can be generated from the schema alone.
 */

/** Metadata we attach to schema leaves; read by redaction, the env mapper and the docs generator. */
export interface FieldMeta {
  readonly secret?: boolean;
  readonly example?: unknown;
}

/**
 * A secret leaf: never printed, logged or shown in errors. Optional, because many deployments run on the
 * sandbox connectors and need no credentials.
 */
export function secret(description: string) {
  return z.string().min(1).optional().describe(description).meta({ secret: true });
}

export function durationMs(description: string, def: number) {
  return z.number().int().nonnegative().default(def).describe(`${description} (milliseconds)`);
}

export function count(description: string, def: number, min = 0) {
  return z.number().int().min(min).default(def).describe(description);
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
