/** Polling cursors per connection (store table `watermarks`); values are opaque to the store. */
export interface Watermarks {
  get(connectionId: string, name: string): Promise<string | undefined>;
  set(connectionId: string, name: string, value: string): Promise<void>;
}
