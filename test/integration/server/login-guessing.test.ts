import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthService } from '../../../src/runtime/auth/auth-service.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { adminEnv, type AdminEnv } from './admin-env.ts';

/**
 * Issue 13 finding 1: password guessing must be limited even when the guesses run in parallel, the per-address
 * limit must not trust a spoofed X-Forwarded-For, and the answer must not tell which user names exist.
 */
describe('sign-in: parallel password guessing', () => {
  let env: AdminEnv;
  beforeAll(async () => {
    env = await adminEnv({ security: { lockoutThreshold: 10, authRateLimitPerMinute: 1000 } });
    await env.auth.addUser({ name: 'gina', role: 'admin', password: 'the right password', actor: 'test' });
  });
  afterAll(() => env.close());

  it('counts every one of 100 parallel wrong passwords: at most 10 are verified, then the right password is refused while locked', async () => {
    const auth = createAuthService(env.store, systemClock, {
      settings: { passwordHashLog2N: 10, lockoutThreshold: 10 },
    });
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => auth.login('gina', `wrong password ${i}`)));
    expect(results.every((r) => !r.ok)).toBe(true);
    // Only the 10 reserved attempts reach scrypt with the real hash: 9 answer invalid, the 10th sets the lock.
    expect(results.filter((r) => !r.ok && r.reason === 'invalid')).toHaveLength(9);
    const users = await auth.listUsers();
    const gina = users.find((u) => u.name === 'gina')!;
    expect(gina.lockedUntil).not.toBeNull();
    const right = await auth.login('gina', 'the right password');
    expect(right).toMatchObject({ ok: false, reason: 'locked' });
  });
});

describe('sign-in over HTTP: spoofed X-Forwarded-For, per-user limit, same answer for unknown and locked users', () => {
  let env: AdminEnv;
  beforeAll(async () => {
    env = await adminEnv({
      server: { behindTls: true },
      security: { lockoutThreshold: 10, authRateLimitPerMinute: 20 },
    });
    await env.auth.addUser({ name: 'hugo', role: 'admin', password: 'the right password', actor: 'test' });
  });
  afterAll(() => env.close());

  it('100 parallel wrong guesses, each from a different forged X-Forwarded-For, give 429s and a lock; the right password is then refused', async () => {
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        env.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          headers: { 'x-forwarded-for': `10.0.${i >> 8}.${i & 255}` },
          payload: { username: 'hugo', password: `wrong password ${i}` },
        }),
      ),
    );
    const codes = responses.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 429).length).toBeGreaterThanOrEqual(80);
    expect(codes.every((c) => c === 401 || c === 429)).toBe(true);
    const hugo = (await env.auth.listUsers()).find((u) => u.name === 'hugo')!;
    expect(hugo.lockedUntil).not.toBeNull();
    const right = await env.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'x-forwarded-for': '192.0.2.77' },
      payload: { username: 'hugo', password: 'the right password' },
    });
    expect(right.statusCode).not.toBe(200);
  });

  it('answers a locked user exactly as an unknown one (status, body, headers that matter)', async () => {
    // adminEnv's auth service locks after the default 10 failures.
    const fresh = await adminEnv({ security: { authRateLimitPerMinute: 1000 } });
    try {
      await fresh.auth.addUser({ name: 'ivan', role: 'viewer', password: 'the right password', actor: 'test' });
      for (let i = 0; i < 10; i++) await fresh.auth.login('ivan', `wrong password ${i}`);
      const locked = await fresh.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'ivan', password: 'the right password' },
      });
      const unknown = await fresh.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'nobody-here', password: 'the right password' },
      });
      const wrong = await fresh.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'nobody-else', password: 'another password' },
      });
      expect(locked.statusCode).toBe(unknown.statusCode);
      expect(locked.body).toBe(unknown.body);
      expect(wrong.body).toBe(unknown.body);
      expect(locked.headers['retry-after']).toBe(unknown.headers['retry-after']);
    } finally {
      await fresh.close();
    }
  });

  it('limits guesses per user name across addresses (and the same for names that do not exist)', async () => {
    const fresh = await adminEnv({
      server: { trustedProxies: ['127.0.0.1'] },
      security: { authRateLimitPerMinute: 5 },
    });
    try {
      const codes = async (username: string) => {
        const out: number[] = [];
        for (let i = 0; i < 7; i++) {
          out.push(
            (
              await fresh.app.inject({
                method: 'POST',
                url: '/api/v1/auth/login',
                headers: { 'x-forwarded-for': `198.51.100.${i + 1}` },
                payload: { username, password: 'wrong password!!' },
              })
            ).statusCode,
          );
        }
        return out;
      };
      await fresh.auth.addUser({ name: 'jana', role: 'viewer', password: 'the right password', actor: 'test' });
      expect(await codes('jana')).toEqual([401, 401, 401, 401, 401, 429, 429]);
      expect(await codes('nobody')).toEqual([401, 401, 401, 401, 401, 429, 429]);
    } finally {
      await fresh.close();
    }
  });
});
