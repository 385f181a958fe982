import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, win32 } from 'node:path';
import { Option, type Command } from 'commander';
import type { CliContext } from '../context.ts';

type Action = 'install' | 'uninstall' | 'start' | 'stop' | 'status';

interface ServiceOptions {
  platform?: 'linux' | 'windows';
  dryRun?: boolean;
  unitDir?: string;
  wrapper?: string;
  agentHub?: string;
}

export function registerServiceCommands(program: Command, ctx: CliContext): void {
  const service = program
    .command('service')
    .description(
      'install Sellbridge as a service: systemd on Linux, a Windows service (WinSW) on Windows; and start, stop, status, uninstall it',
    )
    .addHelpText(
      'after',
      `
Linux: a systemd unit (/etc/systemd/system/sellbridge.service) running as the system user "sellbridge",
restarted on failure and confined (NoNewPrivileges, ProtectSystem=strict, ProtectHome, PrivateTmp); config in
/etc/sellbridge/sellbridge.yaml, store in /var/lib/sellbridge, logs in the journal (journalctl -u sellbridge).

Windows: WinSW (sellbridge-service.exe + sellbridge-service.xml in %ProgramData%\\Sellbridge), restarted on
failure, log files rolled by size in %ProgramData%\\Sellbridge\\logs, failures in the Application event log.
Run from an elevated prompt. The wrapper is shipped beside sellbridge-win-x64.exe (or give --wrapper).

Examples:
  sellbridge service install --dry-run      show the files and commands, change nothing
  sudo ./sellbridge-linux-x64 service install && sudo systemctl start sellbridge
  sellbridge-win-x64.exe service install    (elevated), then: sellbridge-win-x64.exe service start`,
    );

  const add = (action: Action, description: string) =>
    service
      .command(action)
      .description(description)
      .addOption(
        new Option('--platform <platform>', 'generate for this platform (default: this machine)').choices([
          'linux',
          'windows',
        ]),
      )
      .option('--dry-run', 'print the files and the commands instead of writing and running them')
      .option('--unit-dir <dir>', 'Linux: where the unit file goes', '/etc/systemd/system')
      .option(
        '--agent-hub <url>',
        'hosted mode: the service runs `sellbridge agent --hub <url>` beside Sage instead of `run` (enrol once first with `sellbridge agent --hub <url> --token <token>` and the same --credential-file)',
      )
      .option(
        '--wrapper <exe>',
        'Windows: the WinSW executable (default: sellbridge-service.exe beside this executable)',
      )
      .action(async (opts: ServiceOptions) => {
        const { defaultLayout, servicePlan } = await import('../service-units.ts');
        const platform = opts.platform ?? (process.platform === 'win32' ? 'windows' : 'linux');
        // The single executable runs itself (its node flags are built in); from a checkout or npm install the service
        // runs node + bin/sellbridge.js, with the same start-up flags (src/runtime/node-flags.ts).
        const { isSea } = await import('node:sea');
        const { NODE_FLAGS } = await import('../../runtime/node-flags.ts');
        const argv1 = process.argv[1];
        const [exe, args] = isSea() || !argv1 ? [process.execPath, []] : [process.execPath, [...NODE_FLAGS, argv1]];
        const base = defaultLayout(platform, exe, args, ctx.env);
        const credentialFile = (platform === 'windows' ? win32 : posix).join(base.dataDir, 'sellbridge-agent.json');
        const layout = opts.agentHub
          ? { ...base, command: ['agent', '--hub', opts.agentHub, '--credential-file', credentialFile] }
          : base;
        const defaultWrapper = join(dirname(process.execPath), 'sellbridge-service.exe');
        const wrapper = opts.wrapper ?? (existsSync(defaultWrapper) ? defaultWrapper : undefined);
        const plan = servicePlan(layout, {
          unitDir: opts.unitDir ?? '/etc/systemd/system',
          ...(wrapper ? { wrapper } : {}),
        });
        const commands = plan.commands[action];
        if (opts.dryRun) {
          if (action === 'install') for (const f of plan.files) ctx.stdout(`--- ${f.path}\n${f.content}`);
          for (const c of commands) ctx.stdout(`$ ${c.join(' ')}`);
          return;
        }
        if (platform !== (process.platform === 'win32' ? 'windows' : 'linux'))
          throw Object.assign(
            new Error(`cannot ${action} a ${platform} service on ${process.platform}: use --dry-run to see the files`),
            { exitCode: 2 },
          );
        if (action === 'install') {
          if (platform === 'windows' && !wrapper)
            throw new Error(
              'the WinSW wrapper was not found: put sellbridge-service.exe beside this executable or give --wrapper <exe>',
            );
          for (const f of plan.files) {
            mkdirSync(dirname(f.path), { recursive: true });
            if (f.path === layout.configFile && existsSync(f.path)) {
              ctx.stdout(`kept ${f.path} (exists)`);
              continue;
            }
            writeFileSync(f.path, f.content, f.mode !== undefined ? { mode: f.mode } : {});
            ctx.stdout(`wrote ${f.path}`);
          }
          mkdirSync(layout.dataDir, { recursive: true });
        }
        for (const c of commands) {
          if (c[0] === 'copy-file') {
            copyFileSync(c[1]!, c[2]!);
            continue;
          }
          // useradd fails when the user exists (exit 9): that is fine.
          try {
            execFileSync(c[0]!, c.slice(1), { stdio: 'inherit' });
          } catch (err) {
            const status = (err as { status?: number }).status;
            if (c[0] === 'useradd' && status === 9) continue;
            if (action === 'status') {
              process.exitCode = status ?? 1;
              return;
            }
            throw new Error(`\`${c.join(' ')}\` failed (exit ${status ?? '?'})`, { cause: err });
          }
        }
        if (action === 'install')
          ctx.stdout(
            `installed; edit ${layout.configFile}, check it with \`sellbridge -c ${layout.configFile} doctor\`, then \`sellbridge service start\``,
          );
      });

  add(
    'install',
    'write the service definition and a starter configuration, create the account and folders, register the service',
  );
  add('uninstall', 'stop and remove the service (configuration and store are kept)');
  add('start', 'start the service');
  add('stop', 'stop the service (in-flight jobs finish first)');
  add('status', 'show whether the service runs');
}
