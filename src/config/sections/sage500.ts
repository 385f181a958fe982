import { z } from 'zod';
import { secret } from '../fields.ts';

/** Sage 500 gateway settings. Owned by the Sage 500 connector (issue 4). */
export const sage500Section = z
  .strictObject({
    kind: z
      .enum(['sandbox', 'sqlserver'])
      .default('sandbox')
      .describe('`sandbox` uses the embedded Sage 500 sandbox (SQLite); `sqlserver` a real Sage 500 database'),
    companyId: z.string().min(1).max(3).default('SOA').describe('Sage 500 CompanyID the connection writes to'),
    url: secret('SQL Server connection string (mssql://user:password@host:1433/database), when kind is sqlserver'),
  })
  .prefault({})
  .describe('Sage 500 ERP');
