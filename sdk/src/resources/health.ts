import type { CallOptions, DataOf, RequestFn } from '../types.js';

export interface HealthApi {
  /** The process serves HTTP. */
  live(options?: CallOptions): Promise<DataOf<'live'>>;
  /** Its dependencies (the database) answer; a 503 `service_unavailable` is thrown when not. */
  ready(options?: CallOptions): Promise<DataOf<'ready'>>;
}

export function healthApi(request: RequestFn): HealthApi {
  return {
    live: async (options) => (await request('get', '/health/live', options)).data,
    ready: async (options) => (await request('get', '/health/ready', options)).data,
  };
}
