/** The only source of time for code that must be testable; tests pass a fake. */
export interface Clock {
  now(): Date;
}
