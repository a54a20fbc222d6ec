/** Whether API keys were ever required (TOKENLEDGER_ADMIN_KEY set once): remembered by the store, so the service never falls back to open mode. */
export interface KeysRequiredMark {
  /** Remembers that keys are required (the first time is kept). */
  mark(sinceMs: number): Promise<void>;
  isMarked(): Promise<boolean>;
}

/** Where the mark was kept before it had a table (collection) of its own: a generic document. */
export const KEYS_REQUIRED_DOCUMENT = { kind: 'access', tenant: 'default', id: 'keys-required' } as const;
