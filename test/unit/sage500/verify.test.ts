import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { createSandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { sqliteCreateTable } from '../../../src/connectors/sage500/sandbox/schema.ts';
import { catalogFromRows } from '../../../src/connectors/sage500/sql/catalog.ts';
import { SAGE_TABLES, type SageTableName } from '../../../src/connectors/sage500/tables.ts';
import { adapterQueries, adapterUsage } from '../../../src/connectors/sage500/usage.ts';
import { verifyCatalog, verifyObjectNames } from '../../../src/connectors/sage500/verify.ts';
import { changeTrackingFindings } from '../../../src/connectors/sage500/gateway/index.ts';
import { catalogRows } from './recording-connector.ts';

const dir = mkdtempSync(join(tmpdir(), 'sellbridge-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A sandbox file, changed with raw SQLite before the gateway reads its catalog. */
async function sandboxWith(name: string, change: (raw: DatabaseSync) => void) {
  const path = join(dir, `${name}.db`);
  await (await createSandboxGateway({ path })).close();
  const raw = new DatabaseSync(path);
  change(raw);
  raw.close();
  return createSandboxGateway({ path });
}

describe("sellbridge sage500 verify: the list comes from the adapter's own SQL", () => {
  it('covers every query function of sql/ (the list cannot fall behind the code)', async () => {
    const built = new Set(Object.keys(adapterQueries()).map((k) => k.replace(/\[\d+\]$/, '')));
    const dirPath = join(import.meta.dirname, '../../../src/connectors/sage500/sql');
    const modules = await Promise.all(
      readdirSync(dirPath)
        .filter((f) => f.endsWith('.ts'))
        .map((f) => import(join(dirPath, f)) as Promise<Record<string, unknown>>),
    );
    const exported = modules.flatMap((mod) =>
      Object.entries(mod)
        .filter(([n, v]) => typeof v === 'function' && /^(select|insert|update|delete|release|close)/.test(n))
        .map(([n]) => n),
    );
    expect(exported.length).toBeGreaterThanOrEqual(20);
    // selectPackages reads the configured (or discovered) package table: verify adds that table by name.
    expect(exported.filter((n) => !built.has(n))).toEqual(['selectPackages']);
  });

  it('places every column on a declared table, and declares every column it places', () => {
    const usage = adapterUsage();
    expect(usage.unresolved).toEqual([]);
    const undeclared = [...usage.columns].flatMap(([t, cols]) =>
      [...cols]
        .filter((c) => !(t in SAGE_TABLES) || !(c in SAGE_TABLES[t as SageTableName].columns))
        .map((c) => `${t}.${c}`),
    );
    expect(undeclared).toEqual([]);
    // The inserts' columns, read off the compiled inserts: the journal header writes every column R6 writes.
    expect([...usage.inserts.get('tglJournalHdr')!].sort()).toEqual(
      Object.keys(SAGE_TABLES.tglJournalHdr.columns).sort(),
    );
    expect(verifyObjectNames(usage)).toEqual(
      expect.arrayContaining([
        'spSOapiSalesOrdIns',
        'spglGiveNextJrnlNo',
        'tglJournalHdr',
        'vdvStockStatus',
        'tglBatch_AMZ',
      ]),
    );
  });
});

describe('sellbridge sage500 verify against the sandbox', () => {
  it('is clean on the sandbox as built from the description of the real shapes', async () => {
    const gw = await createSandboxGateway({ path: ':memory:' });
    try {
      expect(await gw.verify()).toEqual([]);
    } finally {
      await gw.close();
    }
  });

  it('reports exactly a dropped column, a renamed parameter and a shortened length', async () => {
    const gw = await sandboxWith('three-changes', (raw) => {
      raw.exec('ALTER TABLE tarCustomer DROP COLUMN CustName');
      raw.exec(
        "UPDATE sandbox_sys_parameters SET ParameterName = '_iUserKey' WHERE ProcedureName = 'spGetNextBatch' AND ParameterName = '_iUserID'",
      );
      const shorter = sqliteCreateTable('StgSOLine').replace(
        '"ItemID" VARCHAR(30) CHECK (length("ItemID") <= 30)',
        '"ItemID" VARCHAR(20) CHECK (length("ItemID") <= 20)',
      );
      expect(shorter).toContain('VARCHAR(20)');
      raw.exec('DROP TABLE StgSOLine');
      raw.exec(shorter);
    });
    try {
      const findings = [...(await gw.verify())].sort((a, b) => a.subject.localeCompare(b.subject));
      expect(findings.map((f) => [f.severity, f.subject, f.problem])).toEqual([
        [
          'error',
          'spGetNextBatch @_iUserID',
          expect.stringContaining(
            'parameter missing (the procedure has @_iCompanyID, @_iModuleNo, @_iBatchType, @_iUserKey',
          ),
        ],
        ['error', 'StgSOLine.ItemID', "is varchar(20) NULL, shorter than the adapter's varchar(30)"],
        ['error', 'tarCustomer.CustName', 'column missing'],
      ]);
      expect(findings.every((f) => f.remedy.length > 0)).toBe(true);
    } finally {
      await gw.close();
    }
  });

  it('notes, without failing, what no public source has and the adapter does without', async () => {
    const gw = await sandboxWith('unconfirmed', (raw) => {
      raw.exec('DROP TABLE timItemAlias');
      raw.exec('DROP VIEW vdvStockStatus');
      raw.exec('ALTER TABLE timItem DROP COLUMN ShipWeight');
      // The item's custom fields: no public source shows them on timItem.
      for (const n of [1, 2, 3, 4]) raw.exec(`ALTER TABLE timItem DROP COLUMN UserFld${n}`);
      raw.exec('ALTER TABLE tsoShipment DROP COLUMN DlvryShipMethKey');
      // LanguageID as on a site whose descriptions have none (every public query joins on ItemKey alone).
      raw.exec('ALTER TABLE timItemDescription DROP COLUMN LanguageID');
      raw.exec(
        'CREATE VIEW vdvStockStatus AS SELECT w.CompanyID, w.WhseKey, w.WhseID, i.ItemKey, i.ItemID, NULL AS ShortDesc, 0 AS QtyOnHand, 0 AS QtyAvailable, 0 AS QtyOnHold FROM timInventory inv JOIN timItem i ON i.ItemKey = inv.ItemKey JOIN timWarehouse w ON w.WhseKey = inv.WhseKey',
      );
    });
    try {
      const findings = [...(await gw.verify())].sort((a, b) => a.subject.localeCompare(b.subject));
      expect(findings.map((f) => [f.severity, f.subject])).toEqual([
        ['note', 'timItem.ShipWeight'],
        ['note', 'timItem.UserFld1'],
        ['note', 'timItem.UserFld2'],
        ['note', 'timItem.UserFld3'],
        ['note', 'timItem.UserFld4'],
        ['note', 'timItemAlias'],
        ['note', 'timItemDescription.LanguageID'],
        ['note', 'tsoShipment.DlvryShipMethKey'],
      ]);
      // The gateway asks the same catalog: an unknown SKU is an unknown SKU, not a failed lookup.
      const resolved = await gw.resolveItems(['WIDGET-RED', 'AMZ-RED-WIDGET', 'NO-SUCH-SKU']);
      expect(resolved.unknown).toEqual(['AMZ-RED-WIDGET', 'NO-SUCH-SKU']);
      expect(resolved.items.map((i) => [i.itemId, i.description, i.weight])).toEqual([
        ['WIDGET-RED', 'Widget, red', undefined],
      ]);
      expect((await gw.listItems({ text: 'widget' })).length).toBeGreaterThan(0);
      // Listing fields without the custom-field columns: descriptions and UPC, no UserFld values.
      expect(await gw.readItemFields(['WIDGET-RED'])).toEqual([
        {
          itemId: 'WIDGET-RED',
          shortDesc: 'Widget, red',
          longDesc: 'A sturdy red widget for everyday use.',
          upc: '012345678912',
        },
      ]);
      expect((await gw.listShipments(undefined)).shipments).toEqual([]);
    } finally {
      await gw.close();
    }
  });

  it('names a NOT NULL column without a default that an insert of ours leaves out (SQL Server catalog rows)', () => {
    const names = verifyObjectNames(adapterUsage(), {
      name: 'tsoPackage',
      packageNo: 'PackageNo',
      tracking: 'TrackingNo',
    });
    const params = names.map((n, i) => ({
      name: String(i + 1),
      sqlType: { type: 'VarChar' as const, length: 8000 },
      value: n,
    }));
    const columns = catalogRows('FROM sys.objects o LEFT JOIN sys.columns', params)!;
    columns.push({
      ObjectName: 'tglJournalHdr',
      ObjectType: 'U',
      ColumnName: 'TranAmt',
      TypeName: 'decimal',
      MaxLength: 9,
      NumPrecision: 15,
      NumScale: 3,
      IsNullable: false,
      IsIdentity: false,
      DefaultObjectId: 0,
    });
    columns.push({
      ObjectName: 'tglJournalHdr',
      ObjectType: 'U',
      ColumnName: 'RegisterFlag',
      TypeName: 'smallint',
      MaxLength: 2,
      NumPrecision: 5,
      NumScale: 0,
      IsNullable: false,
      IsIdentity: false,
      DefaultObjectId: 77,
    });
    const catalog = catalogFromRows(columns, catalogRows('FROM sys.parameters p', params)!);
    const findings = verifyCatalog(catalog, {
      packageTable: { name: 'tsoPackage', packageNo: 'PackageNo', tracking: 'TrackingNo' },
    });
    expect(findings.map((f) => [f.severity, f.subject])).toEqual([['error', 'tglJournalHdr.TranAmt']]);
    expect(findings[0]!.problem).toContain('SQL error 515');
    // Without a package table there is nothing to read tracking numbers from: an error with its remedy.
    expect(verifyCatalog(catalog, { packageTable: undefined }).map((f) => [f.subject, f.remedy])).toContainEqual([
      'package/tracking table',
      expect.stringContaining('sellbridge sage500 discover'),
    ]);
  });
});

describe('sellbridge sage500 verify: change tracking', () => {
  const on = { retention: '2 DAYS', autoCleanup: true };
  const all = ['timWhseBinInvt', 'timInventory', 'tsoShipment', 'tsoShipmentLog'];

  it('on for the database and the four tables: a note with the retention', () => {
    expect(changeTrackingFindings({ ...on, tables: all }, true)).toEqual([
      {
        severity: 'note',
        subject: 'change tracking',
        problem:
          'on: retention 2 DAYS, auto cleanup on, tables timWhseBinInvt, timInventory, tsoShipment, tsoShipmentLog',
        remedy: 'none',
      },
    ]);
  });

  it('configured but only the stock tables tracked (an earlier install): shipments fall back to the cursor', () => {
    const [f] = changeTrackingFindings({ ...on, tables: ['timWhseBinInvt', 'timInventory'] }, true);
    expect(f).toMatchObject({ severity: 'warning', subject: 'change tracking' });
    expect(f!.problem).toBe(
      'on for the database (retention 2 DAYS) but off for tsoShipment, tsoShipmentLog: shipments are read by the ShipKey cursor',
    );
    expect(f!.remedy).toMatch(/install-extensions/);
  });

  it('configured and off for the database: both readings fall back; not configured and off: nothing to say', () => {
    const [f] = changeTrackingFindings({ retention: undefined, autoCleanup: false, tables: [] }, true);
    expect(f!.problem).toBe(
      'off for the database: stock is read in full at every watch; shipments are read by the ShipKey cursor',
    );
    expect(changeTrackingFindings({ retention: undefined, autoCleanup: false, tables: [] }, false)).toEqual([]);
  });
});
