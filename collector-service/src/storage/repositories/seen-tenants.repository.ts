/** The tenants whose own ingest key has sent data: remembered once each, for every instance sharing the store. */
export interface SeenTenants {
  /** Remembers the tenant (the first time is kept; again is a no-op). */
  remember(tenant: string, atMs: number): Promise<void>;
  /** Every tenant remembered, in order. */
  all(): Promise<string[]>;
}

/** The document kind the tenants were remembered under before they had a table (collection) of their own. */
export const SEEN_DOCUMENT_KIND = 'alert-tenant';
