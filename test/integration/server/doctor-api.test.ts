import { afterAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../../src/bootstrap/doctor.ts';
import { adminEnv, type AdminEnv } from './admin-env.ts';

const REPORT: DoctorReport = {
  connectionId: 'default',
  checkedAt: '2026-12-06T22:00:00.000Z',
  status: 'fail',
  checks: [
    { id: 'config', status: 'ok', detail: 'valid' },
    { id: 'sqs', status: 'fail', detail: 'the notification queue cannot be read', fix: 'Check amazon.sqs.queueUrl' },
  ],
};

const envs: AdminEnv[] = [];
afterAll(async () => {
  for (const e of envs) await e.close();
});

describe('GET /api/v1/doctor', () => {
  it('returns the doctor report to an operator, not to a viewer or without a token', async () => {
    const env = await adminEnv({ doctor: async () => REPORT });
    envs.push(env);
    expect((await env.app.inject({ url: '/api/v1/doctor' })).statusCode).toBe(401);
    expect((await env.app.inject({ url: '/api/v1/doctor', headers: env.as.viewer })).statusCode).toBe(403);
    const res = await env.app.inject({ url: '/api/v1/doctor', headers: env.as.operator });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(REPORT);
  });

  it("?connection=<id> returns that connection's report alone; 404 for a connection the configuration lacks", async () => {
    const DE: DoctorReport = {
      connectionId: 'de',
      checkedAt: '2026-12-06T22:00:00.000Z',
      status: 'ok',
      checks: [{ id: 'mapping', status: 'ok', detail: 'connections check de: 0 errors' }],
    };
    const asked: Array<string | undefined> = [];
    const env = await adminEnv({
      doctor: async (connection) => {
        asked.push(connection);
        if (connection === undefined) return { ...REPORT, connections: [REPORT, DE] };
        return connection === 'de' ? { ...DE, connections: [DE] } : undefined;
      },
    });
    envs.push(env);
    const all = await env.app.inject({ url: '/api/v1/doctor', headers: env.as.operator });
    expect(all.json().connections.map((r: DoctorReport) => r.connectionId)).toEqual(['default', 'de']);
    const one = await env.app.inject({ url: '/api/v1/doctor?connection=de', headers: env.as.operator });
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json()).toEqual({ ...DE, connections: [DE] });
    const none = await env.app.inject({ url: '/api/v1/doctor?connection=nowhere', headers: env.as.operator });
    expect(none.statusCode).toBe(404);
    expect(none.json()).toMatchObject({ code: 'SB_CONNECTION_NOT_FOUND' });
    const bad = await env.app.inject({ url: '/api/v1/doctor?connection=Not%20An%20Id', headers: env.as.operator });
    expect(bad.statusCode).toBe(400);
    expect(asked).toEqual([undefined, 'de', 'nowhere']);
  });

  it('answers 501 when the server was built without it', async () => {
    const env = await adminEnv();
    envs.push(env);
    const res = await env.app.inject({ url: '/api/v1/doctor', headers: env.as.admin });
    expect(res.statusCode).toBe(501);
  });
});
