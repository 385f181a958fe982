import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * Hosted-mode processes for the agent tests and the agent benchmark: the real CLI (`bin/sellbridge.js`) as a hub
 * (`run --role all` with `sage500.kind=agent`) or as an agent (`agent --hub ...`), plus a TCP proxy between them
 * that a test can cut and restore (the network path the agent dials out on).
 */
const BIN = fileURLToPath(new URL('../../bin/sellbridge.js', import.meta.url));

export interface CliProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal name) once the process ended. */
  readonly exited: Promise<number | string | null>;
  stop(): Promise<number | string | null>;
  kill(): Promise<void>;
}

/** Spawns `sellbridge <args>` with `--set` settings and resolves once its output matches `ready`. */
export function startCli(
  settings: Readonly<Record<string, string>>,
  args: readonly string[],
  ready: RegExp,
  options: { cwd: string; timeoutMs?: number } = { cwd: process.cwd() },
): Promise<CliProcess & { match: RegExpMatchArray }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SELLBRIDGE_')));
  const child = spawn(
    process.execPath,
    [BIN, ...Object.entries(settings).flatMap(([k, v]) => ['--set', `${k}=${v}`]), ...args],
    { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const append = (d: Buffer) => {
    out += d.toString();
    if (out.length > 400_000) out = out.slice(-200_000);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<number | string | null>((r) => child.once('exit', (code, signal) => r(code ?? signal)));
  const proc: CliProcess = {
    child,
    output: () => out,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `sellbridge ${args.join(' ')} not ready after ${options.timeoutMs ?? 60_000} ms:\n${out.slice(-4000)}`,
        ),
      );
    }, options.timeoutMs ?? 60_000);
    const check = () => {
      const match = ready.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.stderr!.off('data', check);
      resolve({ ...proc, match });
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      if (!ready.test(out))
        reject(new Error(`sellbridge ${args.join(' ')} exited (${code}) before ready:\n${out.slice(-4000)}`));
    });
  });
}

/** A TCP proxy to `targetPort` on 127.0.0.1 that can be cut (every socket dropped, new ones refused) and restored. */
export interface CuttableProxy {
  readonly port: number;
  cut(): void;
  restore(): void;
  /** Connections accepted and forwarded so far. */
  connections(): number;
  close(): Promise<void>;
}

export async function startCuttableProxy(targetPort: number): Promise<CuttableProxy> {
  const open = new Set<Socket>();
  let down = false;
  let accepted = 0;
  const server: Server = createServer((client) => {
    if (down) return client.destroy();
    accepted++;
    const upstream = createConnection(targetPort, '127.0.0.1');
    open.add(client);
    open.add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    cut() {
      down = true;
      for (const s of open) s.destroy();
      open.clear();
    },
    restore() {
      down = false;
    },
    connections: () => accepted,
    close: () =>
      new Promise<void>((r) => {
        for (const s of open) s.destroy();
        server.close(() => r());
      }),
  };
}
