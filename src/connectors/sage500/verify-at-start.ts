import { SellbridgeError } from '../../core/errors.ts';
import { openSage500Gateway, type Sage500Settings } from './create-gateway.ts';
import { formatFindings, type VerifyFinding } from './verify.ts';

export interface VerifyReport {
  readonly findings: readonly VerifyFinding[];
  readonly errors: number;
  readonly lines: readonly string[];
  readonly summary: string;
}

/** `sellbridge sage500 verify` for the configured Sage company: the findings, printable. Read-only. */
export async function verifySage500(settings: Sage500Settings): Promise<VerifyReport> {
  const gateway = await openSage500Gateway({
    ...settings,
    warehouseSimulator: { ...settings.warehouseSimulator, enabled: false },
  });
  try {
    const findings = await gateway.verify();
    const errors = findings.filter((f) => f.severity === 'error').length;
    const warnings = findings.filter((f) => f.severity === 'warning').length;
    const notes = findings.length - errors - warnings;
    return {
      findings,
      errors,
      lines: formatFindings(findings),
      summary: `sage500 verify (${settings.kind}, company ${settings.companyId}): ${errors} errors, ${warnings} warnings, ${notes} notes${errors > 0 ? ': the adapter would fail on this database' : ''}`,
    };
  } finally {
    await gateway.close();
  }
}

/**
 * `sellbridge run` calls this before anything touches Sage: an unverified assumption fails loudly at start,
 * never in the middle of an order. Throws SB_SAGE_SCHEMA_MISMATCH listing every error finding.
 */
export async function assertSage500Verified(settings: Sage500Settings): Promise<VerifyReport> {
  const report = await verifySage500(settings);
  if (report.errors > 0) {
    const errors = formatFindings(report.findings.filter((f) => f.severity === 'error'));
    throw new SellbridgeError(
      'SB_SAGE_SCHEMA_MISMATCH',
      `Sage 500 company ${settings.companyId} does not match what the adapter uses; nothing was started:\n${errors.join('\n')}`,
      {
        context: { companyId: settings.companyId, errors: report.errors },
      },
    );
  }
  return report;
}
