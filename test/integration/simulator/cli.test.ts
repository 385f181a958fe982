import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../../bin/sellbridge.js', import.meta.url));

describe('sellbridge simulator', () => {
  it('starts, prints its URL, serves LWA and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'simulator', '--port', '0', '--orders', '5', '--seed', '4', '--time-scale', '10', '--no-limits'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        const match = /listening on (http:\/\/\S+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      child.on('exit', (code) => reject(new Error(`simulator exited with ${code}: ${out}`)));
    });
    const res = await fetch(`${url}/auth/o2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&refresh_token=r&client_id=a&client_secret=b',
    });
    expect(res.status).toBe(200);
    expect(out).toMatch(/5 orders \(seed 4\), time scale 10, usage plans off/);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
