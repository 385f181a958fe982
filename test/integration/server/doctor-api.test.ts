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

  it('answers 501 when the server was built without it', async () => {
    const env = await adminEnv();
    envs.push(env);
    const res = await env.app.inject({ url: '/api/v1/doctor', headers: env.as.admin });
    expect(res.statusCode).toBe(501);
  });
});
