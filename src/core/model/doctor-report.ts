/** The report of `sellbridge doctor` (also GET /api/v1/doctor and the dashboard's Health check page). */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skipped';

export interface DoctorCheck {
  /** Stable id for scripts: `config`, `store`, `lwa-token`, `sp-api:orders`, `sqs`, `sage`, `sage-verify`, `mapping`, `clock`, `disk`, `last-order`. */
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
  /**
   * `sellbridge doctor` over several connections: every checked connection's report. The fields above are then the
   * first connection's, except `status`, the worst of all connections.
   */
  readonly connections?: readonly DoctorReport[];
}
