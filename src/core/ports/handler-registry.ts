/**
 * Where flows register their job handlers: the part of runtime's JobQueue a registration uses (structural, so
 * flows import no runtime code). Handlers receive the payload as `unknown` and parse it themselves.
 */
export interface HandlerRegistry {
  register(queue: string, handler: (payload: unknown) => Promise<unknown>): void;
}
