import type { SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';

/** Adds a customer to the sandbox's demo company (its address is the demo US address, key 501). */
export async function addSageCustomer(
  sandbox: SandboxGateway,
  c: { key: number; id: string; currency: string; status?: number },
): Promise<void> {
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
      DfltShipToAddrKey: 501,
    })
    .execute();
}
