import { describe, expect, it } from 'vitest';
import { connectionIdOfKey } from '../../../src/bootstrap/connection-queue.ts';

describe('connectionIdOfKey (issue 21)', () => {
  const known = (id: string) => ['default', 'eu'].includes(id);
  it('reads the connection a job key names, default otherwise', () => {
    expect(connectionIdOfKey('eu/order.sync:305-1', known)).toBe('eu');
    expect(connectionIdOfKey('order.sync:111-1', known)).toBe('default');
    // a slash in a default key that names no connection
    expect(connectionIdOfKey('report/2026-12:x', known)).toBe('default');
    expect(connectionIdOfKey('/x', known)).toBe('default');
  });
});
