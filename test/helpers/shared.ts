import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * `../shared/` beside the repository holds Amazon's models and the design facts. It is not part of the repo;
 * tests that need it skip with this message when it is absent.
 */
export const SHARED_DIR = fileURLToPath(new URL('../../../shared/', import.meta.url));
export const SHARED_PRESENT = existsSync(SHARED_DIR);
export const SHARED_SKIP_MESSAGE = `skipped: ../shared/ not found at ${SHARED_DIR} (it holds Amazon's SP-API models); clone the project beside it to run these tests`;

export function sharedPath(...parts: string[]): string {
  return [SHARED_DIR.replace(/\/$/, ''), ...parts].join('/');
}
