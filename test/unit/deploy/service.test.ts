import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { defaultLayout, servicePlan, systemdUnit, winswXml } from '../../../src/cli/service-units.ts';
import { NODE_FLAGS } from '../../../src/runtime/node-flags.ts';

const hasSystemdAnalyze = (() => {
  try {
    execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function unitDirectives(unit: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of unit.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) map.set(m[1]!, [...(map.get(m[1]!) ?? []), m[2]!]);
  }
  return map;
}

describe('systemd unit', () => {
  const layout = defaultLayout('linux', '/opt/sellbridge/sellbridge-linux-x64');
  const unit = systemdUnit(layout);
  const d = unitDirectives(unit);

  it('runs the executable with the config in /etc/sellbridge as the dedicated user, restarting on failure', () => {
    expect(d.get('ExecStart')).toEqual([
      '/opt/sellbridge/sellbridge-linux-x64 --config /etc/sellbridge/sellbridge.yaml run',
    ]);
    expect(d.get('User')).toEqual(['sellbridge']);
    expect(d.get('Restart')).toEqual(['on-failure']);
    // Two glibc malloc arenas, as the container image (resident memory of a settlement import; issue 15).
    expect(d.get('Environment')).toEqual([
      'SELLBRIDGE_STORE_URL=sqlite:/var/lib/sellbridge/sellbridge.db',
      'MALLOC_ARENA_MAX=2',
    ]);
    expect(d.get('WantedBy')).toEqual(['multi-user.target']);
  });

  it('is hardened: no new privileges, read-only system and home, private /tmp, only /var/lib/sellbridge writable', () => {
    expect(d.get('NoNewPrivileges')).toEqual(['yes']);
    expect(d.get('ProtectSystem')).toEqual(['strict']);
    expect(d.get('ProtectHome')).toEqual(['yes']);
    expect(d.get('PrivateTmp')).toEqual(['yes']);
    expect(d.get('ReadWritePaths')).toEqual(['/var/lib/sellbridge']);
  });

  it('quotes paths with spaces', () => {
    const spaced = systemdUnit(defaultLayout('linux', '/opt/sell bridge/sellbridge'));
    expect(unitDirectives(spaced).get('ExecStart')).toEqual([
      '"/opt/sell bridge/sellbridge" --config /etc/sellbridge/sellbridge.yaml run',
    ]);
  });

  it('creates the user and folders, then enables the unit; start/stop/status use systemctl', () => {
    const plan = servicePlan(layout);
    expect(plan.files.map((f) => f.path)).toEqual([
      '/etc/systemd/system/sellbridge.service',
      '/etc/sellbridge/sellbridge.yaml',
    ]);
    expect(plan.commands.install[0]).toEqual([
      'useradd',
      '--system',
      '--user-group',
      '--home-dir',
      '/var/lib/sellbridge',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'sellbridge',
    ]);
    expect(plan.commands.install.at(-1)).toEqual(['systemctl', 'enable', 'sellbridge.service']);
    expect(plan.commands.start).toEqual([['systemctl', 'start', 'sellbridge.service']]);
    expect(plan.commands.stop).toEqual([['systemctl', 'stop', 'sellbridge.service']]);
    expect(plan.commands.status).toEqual([['systemctl', 'status', '--no-pager', 'sellbridge.service']]);
    expect(plan.commands.uninstall[0]).toEqual(['systemctl', 'disable', '--now', 'sellbridge.service']);
  });

  it.skipIf(!hasSystemdAnalyze)('passes systemd-analyze verify', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-unit-'));
    try {
      const file = join(dir, 'sellbridge.service');
      writeFileSync(file, systemdUnit(defaultLayout('linux', process.execPath)));
      const out = execFileSync('systemd-analyze', ['verify', file], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(out.trim()).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Windows service (WinSW)', () => {
  const layout = defaultLayout('windows', 'C:\\Program Files\\Sellbridge\\sellbridge-win-x64.exe', [], {
    ProgramData: 'C:\\ProgramData',
  });
  const xml = winswXml(layout);

  it('keeps configuration, store and logs in %ProgramData%\\Sellbridge', () => {
    expect(layout.configFile).toBe('C:\\ProgramData\\Sellbridge\\sellbridge.yaml');
    expect(layout.storeUrl).toBe('sqlite:C:\\ProgramData\\Sellbridge\\data\\sellbridge.db');
    expect(xml).toContain('<executable>C:\\Program Files\\Sellbridge\\sellbridge-win-x64.exe</executable>');
    expect(xml).toContain('<arguments>--config C:\\ProgramData\\Sellbridge\\sellbridge.yaml run</arguments>');
    expect(xml).toContain('<logpath>C:\\ProgramData\\Sellbridge\\logs</logpath>');
    expect(xml).toContain(
      '<env name="SELLBRIDGE_STORE_URL" value="sqlite:C:\\ProgramData\\Sellbridge\\data\\sellbridge.db"/>',
    );
  });

  it('restarts on failure and rolls its log files', () => {
    expect(xml).toMatch(/<onfailure action="restart" delay="10 sec"\/>/);
    expect(xml).toMatch(
      /<log mode="roll-by-size">\s*<sizeThreshold>10240<\/sizeThreshold>\s*<keepFiles>8<\/keepFiles>\s*<\/log>/,
    );
    expect(xml).toContain('<startmode>Automatic</startmode>');
  });

  it("sends Sellbridge's own errors to the Application event log", () => {
    expect(xml).toContain('<env name="SELLBRIDGE_LOG_WINDOWS_EVENT_LOG" value="true"/>');
  });

  it('installs through the wrapper copied to %ProgramData%\\Sellbridge', () => {
    const plan = servicePlan(layout, { wrapper: 'D:\\dl\\sellbridge-service.exe' });
    const wrapper = 'C:\\ProgramData\\Sellbridge\\sellbridge-service.exe';
    expect(plan.files.map((f) => f.path)).toEqual([
      'C:\\ProgramData\\Sellbridge\\sellbridge-service.xml',
      'C:\\ProgramData\\Sellbridge\\sellbridge.yaml',
    ]);
    expect(plan.commands.install[0]).toEqual(['copy-file', 'D:\\dl\\sellbridge-service.exe', wrapper]);
    expect(plan.commands.install.at(-1)).toEqual([wrapper, 'install']);
    expect(plan.commands.start).toEqual([[wrapper, 'start']]);
    expect(plan.commands.status).toEqual([[wrapper, 'status']]);
    expect(plan.commands.uninstall).toEqual([
      [wrapper, 'stop'],
      [wrapper, 'uninstall'],
    ]);
  });
});

describe('sellbridge service --dry-run', () => {
  it('prints the unit and the commands and changes nothing', async () => {
    const out: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'sb-svc-'));
    try {
      const code = await main(['service', 'install', '--platform', 'linux', '--dry-run', '--unit-dir', dir], {
        env: {},
        stdout: (t) => out.push(t),
        stderr: (t) => out.push(t),
        config: () => {
          throw new Error('not needed');
        },
      });
      expect(code).toBe(0);
      const text = out.join('\n');
      expect(text).toContain(`--- ${join(dir, 'sellbridge.service')}`);
      expect(text).toContain('NoNewPrivileges=yes');
      // Run by node (not the single executable): node's start-up flags come before the script (node-flags.ts).
      expect(text).toMatch(new RegExp(`^ExecStart=\\S*node\\S* ${NODE_FLAGS.join(' ')} \\S+ --config `, 'm'));
      expect(text).toContain('$ systemctl enable sellbridge.service');
      expect(existsSync(join(dir, 'sellbridge.service'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('sellbridge service install --agent-hub (hosted mode, beside Sage)', () => {
  it('runs the agent with its credential file in the data folder instead of run, on Linux and Windows', async () => {
    for (const [platform, expected] of [
      ['linux', 'agent --hub https://hub.example.com --credential-file /var/lib/sellbridge/sellbridge-agent.json'],
      [
        'windows',
        'agent --hub https://hub.example.com --credential-file C:\\ProgramData\\Sellbridge\\data\\sellbridge-agent.json',
      ],
    ] as const) {
      const out: string[] = [];
      const code = await main(
        ['service', 'install', '--platform', platform, '--dry-run', '--agent-hub', 'https://hub.example.com'],
        {
          env: {},
          stdout: (t) => out.push(t),
          stderr: (t) => out.push(t),
          config: () => {
            throw new Error('not needed');
          },
        },
      );
      expect(code).toBe(0);
      expect(out.join('\n')).toContain(expected);
      expect(out.join('\n')).not.toMatch(/sellbridge\.yaml run\b/);
    }
  });
});
