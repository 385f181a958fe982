/** The report of `sellbridge doctor` (also GET /api/v1/doctor and the dashboard's Health check page). */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skipped';

export interface DoctorCheck {
  /** Stable id for scripts: `config`, `store`, `lwa-token`, `sp-api:orders`, `sqs`, `sage`, `sage-verify`, `clock`, `disk`, `last-order`. */
  readonly id: string;
  readonly status: CheckStatus;
  /** What was seen. */
  readonly detail: string;
  /** What to do about it (warn and fail only). */
  readonly fix?: string;
}

export interface DoctorReport {
  readonly connectionId: string;
  readonly checkedAt: string;
  /** The worst status of the checks (`skipped` counts as ok). */
  readonly status: 'ok' | 'warn' | 'fail';
  readonly checks: readonly DoctorCheck[];
}
