import { posix, win32 } from 'node:path';

/**
 * `sellbridge service`: what a service installation consists of, as data, so it can be shown
 * (`--dry-run`), tested and then applied. Two platforms:
 *
 * - Linux: a systemd unit that runs the executable as the dedicated `sellbridge` user, restarts it on failure and
 *   confines it (NoNewPrivileges, ProtectSystem=strict, ProtectHome, PrivateTmp; the only writable path is
 *   /var/lib/sellbridge). Configuration in /etc/sellbridge, store in /var/lib/sellbridge, logs to the journal.
 * - Windows: WinSW, one wrapper executable plus an XML file of the same name. WinSW rather than node-windows:
 *   node-windows is a library that drives WinSW to run a *script* under node.exe, while a single executable needs
 *   only the wrapper and its XML; the XML is also what an administrator can read and edit. WinSW restarts the
 *   service on failure, rolls the log files by size, and writes service start/stop/failure events to the Windows
 *   Application event log; Sellbridge's own errors go there too (`log.windowsEventLog`, set in the XML). Everything lives in %ProgramData%\Sellbridge.
 */
export type ServicePlatform = 'linux' | 'windows';

export interface ServiceLayout {
  readonly platform: ServicePlatform;
  readonly name: string;
  /** The Sellbridge executable the service runs (the single executable, or node + bin/sellbridge.js). */
  readonly executable: string;
  readonly executableArgs: readonly string[];
  readonly configDir: string;
  readonly configFile: string;
  readonly dataDir: string;
  readonly logDir: string;
  readonly storeUrl: string;
  /** What the service runs after `--config <file>` (default `run`; hosted mode's agent: `agent --hub <url> ...`). */
  readonly command?: readonly string[];
}

export interface ServiceFile {
  readonly path: string;
  readonly content: string;
  readonly mode?: number;
}

export interface ServicePlan {
  readonly layout: ServiceLayout;
  /** Files written by `install` (never overwriting an existing configuration file). */
  readonly files: readonly ServiceFile[];
  /** Command lines per action, run in order; each is argv. */
  readonly commands: Readonly<
    Record<'install' | 'uninstall' | 'start' | 'stop' | 'status', readonly (readonly string[])[]>
  >;
}

export const SERVICE_NAME = 'sellbridge';
export const SERVICE_USER = 'sellbridge';

export function defaultLayout(
  platform: ServicePlatform,
  executable: string,
  executableArgs: readonly string[] = [],
  env: Readonly<Record<string, string | undefined>> = {},
): ServiceLayout {
  if (platform === 'linux') {
    return {
      platform,
      name: SERVICE_NAME,
      executable,
      executableArgs,
      configDir: '/etc/sellbridge',
      configFile: '/etc/sellbridge/sellbridge.yaml',
      dataDir: '/var/lib/sellbridge',
      logDir: '/var/lib/sellbridge', // systemd's journal; nothing is written here but the store
      storeUrl: 'sqlite:/var/lib/sellbridge/sellbridge.db',
    };
  }
  const base = win32.join(env['ProgramData'] ?? env['PROGRAMDATA'] ?? 'C:\\ProgramData', 'Sellbridge');
  return {
    platform,
    name: SERVICE_NAME,
    executable,
    executableArgs,
    configDir: base,
    configFile: win32.join(base, 'sellbridge.yaml'),
    dataDir: win32.join(base, 'data'),
    logDir: win32.join(base, 'logs'),
    storeUrl: `sqlite:${win32.join(base, 'data', 'sellbridge.db')}`,
  };
}

/** The argv the service runs. */
export function serviceArgv(layout: ServiceLayout): string[] {
  return [...layout.executableArgs, '--config', layout.configFile, ...(layout.command ?? ['run'])];
}

const systemdQuote = (arg: string) =>
  /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/(["\\])/g, '\\$1')}"`;

export function systemdUnit(layout: ServiceLayout): string {
  return `# Sellbridge: Sage 500 <-> Amazon SP-API. Written by \`sellbridge service install\`; see docs/deploy.md.
[Unit]
Description=Sellbridge (Sage 500 and Amazon Seller Central)
Documentation=https://github.com/sellbridge/sellbridge/blob/main/docs/deploy.md
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
User=${SERVICE_USER}
Group=${SERVICE_USER}
ExecStart=${[layout.executable, ...serviceArgv(layout)].map(systemdQuote).join(' ')}
Environment=SELLBRIDGE_STORE_URL=${layout.storeUrl}
# glibc's malloc arenas: two, not eight per core (issue 15: resident memory of a settlement import; docs/deploy.md).
Environment=MALLOC_ARENA_MAX=2
EnvironmentFile=-${posix.join(layout.configDir, 'sellbridge.env')}
WorkingDirectory=${layout.dataDir}
Restart=on-failure
RestartSec=10s
TimeoutStopSec=45s
KillSignal=SIGTERM
# Hardening: nothing but the store folder is writable; no privilege can be gained.
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectControlGroups=yes
RestrictSUIDSGID=yes
LockPersonality=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
ReadWritePaths=${layout.dataDir}
StateDirectory=sellbridge
StateDirectoryMode=0750
ConfigurationDirectory=sellbridge
UMask=0027

[Install]
WantedBy=multi-user.target
`;
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const winArg = (arg: string) => (/^[^\s"]+$/.test(arg) ? arg : `"${arg.replace(/"/g, '\\"')}"`);

/** WinSW configuration (the element set WinSW 1.17, which the npm registry carries, and WinSW 2.x both read). */
export function winswXml(layout: ServiceLayout): string {
  return `<!-- Sellbridge: Sage 500 <-> Amazon SP-API. Written by "sellbridge service install"; see docs/deploy.md. -->
<service>
  <id>${xml(layout.name)}</id>
  <name>Sellbridge</name>
  <description>Sellbridge: orders from Amazon into Sage 500, shipments, inventory and settlements back.</description>
  <executable>${xml(layout.executable)}</executable>
  <arguments>${xml(serviceArgv(layout).map(winArg).join(' '))}</arguments>
  <workingdirectory>${xml(layout.dataDir)}</workingdirectory>
  <env name="SELLBRIDGE_STORE_URL" value="${xml(layout.storeUrl)}"/>
  <!-- Sellbridge's own errors also go to the Application event log (source Sellbridge). -->
  <env name="SELLBRIDGE_LOG_WINDOWS_EVENT_LOG" value="true"/>
  <startmode>Automatic</startmode>
  <delayedAutoStart/>
  <depend>Tcpip</depend>
  <!-- Restart on failure: after 10 s, then 30 s, then every minute; the failure is in the Application event log. -->
  <onfailure action="restart" delay="10 sec"/>
  <onfailure action="restart" delay="30 sec"/>
  <onfailure action="restart" delay="60 sec"/>
  <resetfailure>1 hour</resetfailure>
  <stopparentprocessfirst>true</stopparentprocessfirst>
  <stoptimeout>45 sec</stoptimeout>
  <logpath>${xml(layout.logDir)}</logpath>
  <!-- Rotating log files: 10 MB each, the last 8 kept. -->
  <log mode="roll-by-size">
    <sizeThreshold>10240</sizeThreshold>
    <keepFiles>8</keepFiles>
  </log>
</service>
`;
}

const SAMPLE_CONFIG = (
  layout: ServiceLayout,
) => `# Sellbridge configuration (docs/configuration.md). Secrets may also come from SELLBRIDGE_* variables.
store:
  url: ${JSON.stringify(layout.storeUrl)}
server:
  host: 127.0.0.1
  port: 8080
# amazon:
#   lwaClientId: ...
#   lwaClientSecret: ...
#   refreshToken: ...
#   sellerId: ...
#   marketplaceIds: [ATVPDKIKX0DER]
# sage500:
#   kind: sqlserver
#   url: mssql://sellbridge:...@sqlhost:1433/sage500
#   companyId: SOA
`;

/**
 * Everything `install` writes and runs. `wrapper` (Windows): the WinSW executable to copy beside the XML
 * (`sellbridge-service.exe`, shipped next to the Windows single executable).
 */
export function servicePlan(
  layout: ServiceLayout,
  options: { readonly unitDir?: string; readonly wrapper?: string } = {},
): ServicePlan {
  if (layout.platform === 'linux') {
    const unit = posix.join(options.unitDir ?? '/etc/systemd/system', `${layout.name}.service`);
    return {
      layout,
      files: [
        { path: unit, content: systemdUnit(layout), mode: 0o644 },
        { path: layout.configFile, content: SAMPLE_CONFIG(layout), mode: 0o640 },
      ],
      commands: {
        install: [
          [
            'useradd',
            '--system',
            '--user-group',
            '--home-dir',
            layout.dataDir,
            '--no-create-home',
            '--shell',
            '/usr/sbin/nologin',
            SERVICE_USER,
          ],
          ['install', '-d', '-o', SERVICE_USER, '-g', SERVICE_USER, '-m', '0750', layout.dataDir],
          ['install', '-d', '-o', 'root', '-g', SERVICE_USER, '-m', '0750', layout.configDir],
          ['chgrp', SERVICE_USER, layout.configFile],
          ['systemctl', 'daemon-reload'],
          ['systemctl', 'enable', `${layout.name}.service`],
        ],
        uninstall: [
          ['systemctl', 'disable', '--now', `${layout.name}.service`],
          ['rm', '-f', unit],
          ['systemctl', 'daemon-reload'],
        ],
        start: [['systemctl', 'start', `${layout.name}.service`]],
        stop: [['systemctl', 'stop', `${layout.name}.service`]],
        status: [['systemctl', 'status', '--no-pager', `${layout.name}.service`]],
      },
    };
  }
  const wrapper = win32.join(layout.configDir, 'sellbridge-service.exe');
  const files: ServiceFile[] = [
    { path: win32.join(layout.configDir, 'sellbridge-service.xml'), content: winswXml(layout) },
    { path: layout.configFile, content: SAMPLE_CONFIG(layout) },
  ];
  return {
    layout,
    files,
    commands: {
      install: [
        ...(options.wrapper ? [['copy-file', options.wrapper, wrapper]] : []),
        // The store folder: full control for the service account (LocalSystem by default) and administrators only.
        ['icacls', layout.configDir, '/inheritance:r', '/grant:r', 'SYSTEM:(OI)(CI)F', 'Administrators:(OI)(CI)F'],
        [wrapper, 'install'],
      ],
      uninstall: [
        [wrapper, 'stop'],
        [wrapper, 'uninstall'],
      ],
      start: [[wrapper, 'start']],
      stop: [[wrapper, 'stop']],
      status: [[wrapper, 'status']],
    },
  };
}
