/** Admin roles, weakest first: viewer reads; operator also replays, discards and edits mappings; admin manages access. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Whether `have` is at least `need`. */
export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** Who made a request: `actor` is what the audit log records (`user:alice`, `token:ci-bot`, `token:bootstrap`). */
export interface Principal {
  readonly actor: string;
  readonly name: string;
  readonly role: Role;
  readonly via: 'bearer' | 'session';
}
