import type { SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';

/**
 * Adds a customer to the sandbox's demo company, billing to its own customer address with that currency
 * (tarCustAddr, keyed like tciAddress; `addrKey` defaults to a new key above the demo's).
 */
export async function addSageCustomer(
  sandbox: SandboxGateway,
  c: { key: number; id: string; currency: string; status?: number; addrKey?: number },
): Promise<void> {
  const addrKey = c.addrKey ?? c.key + 1000;
  await sandbox.db
    .insertInto('tarCustomer')
    .values({
      CustKey: c.key,
      CompanyID: 'SOA',
      CustID: c.id,
      CustName: `${c.id} test customer`,
      Status: c.status ?? 1,
      Hold: 0,
      PrimaryAddrKey: 501,
      DfltBillToAddrKey: addrKey,
      DfltShipToAddrKey: 501,
    })
    .execute();
  await sandbox.db
    .insertInto('tarCustAddr')
    .values({ AddrKey: addrKey, CustKey: c.key, CustAddrID: 'BILL', CurrID: c.currency })
    .onConflict((oc) => oc.column('AddrKey').doNothing())
    .execute();
}
