import type { Catalog, CatalogColumn } from './catalog.ts';
import { parseDeclaredType, typeFamily, type TypeFamily } from './catalog.ts';
import { adapterProcedures, type SqlType } from './sql/procedures.ts';
import { SAGE_TABLES, parseColumnSpec, tableSpec, type SageTableName } from './tables.ts';
import { adapterUsage, type AdapterUsage } from './usage.ts';

/**
 * `error`: something the adapter does will fail on this database (verify exits non-zero, `run` refuses to
 * start). `warning`: a difference that will not fail but deserves a look. `note`: an unconfirmed object or
 * column the adapter does without.
 */
export type FindingSeverity = 'error' | 'warning' | 'note';

export interface VerifyFinding {
  readonly severity: FindingSeverity;
  /** `table`, `table.column`, `procedure` or `procedure @parameter`. */
  readonly subject: string;
  readonly problem: string;
  readonly remedy: string;
}

export interface PackageTableSetting {
  readonly name: string;
  readonly packageNo: string;
  readonly tracking: string;
}

export interface VerifyOptions {
  /** The package/tracking table in use (configured or discovered); undefined = none known. */
  readonly packageTable: PackageTableSetting | undefined;
  /** Where the package table came from, for the remedy text. */
  readonly packageTableFrom?: 'configured' | 'discovered' | 'sandbox';
}

/** Every object name the adapter's SQL and procedure calls use, plus the package table: what verify reads. */
export function verifyObjectNames(usage: AdapterUsage = adapterUsage(), packageTable?: PackageTableSetting): string[] {
  return [
    ...new Set([
      ...usage.columns.keys(),
      ...adapterProcedures().map((p) => p.procedure),
      ...(packageTable ? [packageTable.name] : []),
    ]),
  ].sort();
}

const sqlTypeFamily = (t: SqlType): TypeFamily =>
  t.type === 'VarChar' ? 'char' : t.type === 'DateTime' ? 'datetime' : 'int';
const describeColumn = (c: CatalogColumn) =>
  `${c.type}${c.maxLength !== null ? `(${c.maxLength})` : c.precision !== null ? `(${c.precision},${c.scale})` : ''}${c.nullable ? ' NULL' : ' NOT NULL'}`;

/**
 * Compares the catalog with what the adapter uses: each missing object, column or parameter, each type or
 * length difference, and each NOT NULL column without a default that one of our inserts leaves out, with what
 * to do about it. Pure.
 */
export function verifyCatalog(
  catalog: Catalog,
  options: VerifyOptions,
  usage: AdapterUsage = adapterUsage(),
): VerifyFinding[] {
  const findings: VerifyFinding[] = [];
  const objects = new Map(catalog.objects.map((o) => [o.name.toLowerCase(), o]));
  const columnsOf = (object: string) => catalog.columns.filter((c) => c.object.toLowerCase() === object.toLowerCase());

  const expected = new Map<string, Map<string, string | undefined>>();
  for (const [t, cols] of usage.columns)
    expected.set(
      t,
      new Map(
        [...cols].map((c) => [
          c,
          (SAGE_TABLES[t as SageTableName]?.columns as Record<string, string> | undefined)?.[c],
        ]),
      ),
    );
  if (options.packageTable) {
    const p = options.packageTable;
    expected.set(
      p.name,
      new Map([
        ['ShipKey', 'int'],
        [p.packageNo, undefined],
        [p.tracking, undefined],
      ]),
    );
  } else {
    findings.push({
      severity: 'error',
      subject: 'package/tracking table',
      problem:
        'no package/tracking table is configured and none was found in the catalog (no public source names it); shipments would be confirmed without tracking numbers',
      remedy:
        'run `sellbridge sage500 discover` and accept its proposal, or set sage500.packageTable, packageNoColumn and packageTrackingColumn',
    });
  }

  for (const [object, cols] of expected) {
    const spec = object in SAGE_TABLES ? tableSpec(object as SageTableName) : undefined;
    if (!objects.has(object.toLowerCase())) {
      if (spec?.optional && object !== options.packageTable?.name) {
        findings.push({
          severity: 'note',
          subject: object,
          problem: 'not in this database (no public source has it)',
          remedy: 'nothing to do: the adapter does without it',
        });
      } else if (spec?.extension) {
        findings.push({
          severity: 'error',
          subject: object,
          problem: 'Sellbridge extension table missing',
          remedy: 'run `sellbridge sage500 install-extensions` (or hand `--print` to a DBA)',
        });
      } else {
        findings.push({
          severity: 'error',
          subject: object,
          problem: `${spec?.view ? 'view' : 'table'} missing`,
          remedy:
            object === options.packageTable?.name
              ? 'fix sage500.packageTable (`sellbridge sage500 discover` proposes one)'
              : 'check that sage500.url points at the Sage 500 application database (mas500_app)',
        });
      }
      continue;
    }
    const have = columnsOf(object);
    for (const [column, specText] of cols) {
      const found = have.find((c) => c.column.toLowerCase() === column.toLowerCase());
      if (!found) {
        if (spec?.optionalColumns?.includes(column)) {
          findings.push({
            severity: 'note',
            subject: `${object}.${column}`,
            problem: 'not in this database (no public source has it)',
            remedy: 'nothing to do: the adapter does without it',
          });
        } else {
          findings.push({
            severity: 'error',
            subject: `${object}.${column}`,
            problem: 'column missing',
            remedy: spec?.extension
              ? 'the extension table is older than this Sellbridge: add the column (see `install-extensions --print`)'
              : object === options.packageTable?.name
                ? 'fix the package column settings (sage500.packageNoColumn / packageTrackingColumn)'
                : 'report it: the adapter would fail with SQL error 207 here',
          });
        }
        continue;
      }
      if (!specText || found.type === '') continue;
      const { base } = parseColumnSpec(specText);
      if (base === 'identity') continue;
      const want = parseDeclaredType(base === 'int' ? 'int' : base);
      const wantFamily = typeFamily(want.type);
      const haveFamily = typeFamily(found.type);
      const accepted = spec?.contested?.[column] ?? [wantFamily];
      const ours = `${specText.replace(/[?=].*$/, '')}`;
      if (!accepted.includes(haveFamily as never) && !(wantFamily === 'float' && haveFamily === 'decimal')) {
        findings.push({
          severity: 'error',
          subject: `${object}.${column}`,
          problem: `is ${describeColumn(found)}, the adapter expects ${ours}`,
          remedy: 'report it with this line: the adapter writes or compares values of another type here',
        });
      } else if (
        wantFamily === 'char' &&
        haveFamily === 'char' &&
        want.maxLength !== null &&
        found.maxLength !== null &&
        found.maxLength < want.maxLength
      ) {
        findings.push({
          severity: 'error',
          subject: `${object}.${column}`,
          problem: `is ${describeColumn(found)}, shorter than the adapter's ${ours}`,
          remedy: spec?.extension
            ? 'widen the extension column (see `install-extensions --print`)'
            : `values of up to ${want.maxLength} characters would be rejected; report it so the length check uses ${found.maxLength}`,
        });
      } else if (
        haveFamily === wantFamily &&
        found.type !== want.type &&
        !(want.type === 'int' && found.type === 'int') &&
        wantFamily !== 'char'
      ) {
        findings.push({
          severity: 'warning',
          subject: `${object}.${column}`,
          problem: `is ${describeColumn(found)}, the adapter declares ${ours}`,
          remedy: 'none needed if the values fit; report it so the description can follow',
        });
      } else if (wantFamily === 'decimal' && (found.precision !== want.precision || found.scale !== want.scale)) {
        findings.push({
          severity: found.scale !== null && want.scale !== null && found.scale < want.scale ? 'error' : 'warning',
          subject: `${object}.${column}`,
          problem: `is ${describeColumn(found)}, the adapter declares ${ours}`,
          remedy: 'report it: amounts must keep their scale',
        });
      }
    }
  }

  // NOT NULL without a default that an insert of ours leaves out: error 515 on the first insert.
  for (const [object, written] of usage.inserts) {
    if (!objects.has(object.toLowerCase())) continue;
    const lower = new Set([...written].map((c) => c.toLowerCase()));
    for (const c of columnsOf(object)) {
      if (!c.nullable && !c.hasDefault && !c.identity && !lower.has(c.column.toLowerCase())) {
        findings.push({
          severity: 'error',
          subject: `${object}.${c.column}`,
          problem: `is ${describeColumn(c)} without a default, and the adapter's insert into ${object} leaves it out (SQL error 515)`,
          remedy:
            'report it with this line so the insert can write it; as a stopgap a DBA can add a DEFAULT constraint',
        });
      }
    }
  }

  // Procedures: names (any accepted spelling), types, lengths, direction; by position where names are unknown.
  for (const proc of adapterProcedures()) {
    if (!objects.has(proc.procedure.toLowerCase())) {
      findings.push({
        severity: 'error',
        subject: proc.procedure,
        problem: 'procedure missing',
        remedy: 'check the Sage 500 version and modules (SO, GL) of this database',
      });
      continue;
    }
    const have = catalog.parameters
      .filter((p) => p.procedure.toLowerCase() === proc.procedure.toLowerCase())
      .sort((a, b) => a.position - b.position);
    proc.params.forEach((want, i) => {
      const found = proc.byPosition
        ? have[i]
        : have.find((p) => want.names.some((n) => n.toLowerCase() === p.name.toLowerCase()));
      const subject = `${proc.procedure} ${proc.byPosition ? `parameter ${i + 1}` : `@${want.names.join(' / @')}`}`;
      if (!found) {
        findings.push({
          severity: 'error',
          subject,
          problem: `parameter missing (the procedure has ${have.map((p) => `@${p.name}`).join(', ') || 'none'})`,
          remedy: 'report it with this line: the call would fail with SQL error 8145',
        });
        return;
      }
      if (typeFamily(found.type) !== sqlTypeFamily(want.sqlType)) {
        findings.push({
          severity: 'error',
          subject,
          problem: `is ${found.type}, the adapter sends ${want.sqlType.type}`,
          remedy: 'report it with this line',
        });
      } else if (want.sqlType.type === 'VarChar' && found.maxLength !== null && found.maxLength < want.sqlType.length) {
        findings.push({
          severity: 'error',
          subject,
          problem: `is ${found.type}(${found.maxLength}), shorter than the adapter's VarChar(${want.sqlType.length})`,
          remedy: 'report it with this line: longer values would be cut',
        });
      }
      if (found.output !== want.output) {
        findings.push({
          severity: 'error',
          subject,
          problem: `is ${found.output ? 'an output' : 'an input'} parameter, the adapter sends it as ${want.output ? 'output' : 'input'}`,
          remedy: 'report it with this line',
        });
      }
    });
  }
  return findings;
}

/** One line per finding, errors first: what `sellbridge sage500 verify` prints. */
export function formatFindings(findings: readonly VerifyFinding[]): string[] {
  const order: Record<FindingSeverity, number> = { error: 0, warning: 1, note: 2 };
  return [...findings]
    .sort((a, b) => order[a.severity] - order[b.severity] || a.subject.localeCompare(b.subject))
    .map((f) => `${f.severity.toUpperCase().padEnd(7)} ${f.subject}: ${f.problem}. Remedy: ${f.remedy}`);
}
