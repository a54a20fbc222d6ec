/** Injection token of the StoragePort adapter chosen by TOKENLEDGER_STORE (opened, closed and checked by the storage module). */
export const STORAGE = Symbol('STORAGE');

// The roles of the store, each injected by its own token (see storage.port.ts).
export const RECORDS_WRITER = Symbol('RECORDS_WRITER');
export const RECORDS_READER = Symbol('RECORDS_READER');
export const ROLLUP_READER = Symbol('ROLLUP_READER');
export const API_KEYS = Symbol('API_KEYS');

// One repository per entity (see repositories/).
export const BUDGETS = Symbol('BUDGETS');
export const ALERT_RULES = Symbol('ALERT_RULES');
export const CHANNELS = Symbol('CHANNELS');
export const ALERTS = Symbol('ALERTS');
export const DELIVERIES = Symbol('DELIVERIES');
export const DIGEST_SUBSCRIPTIONS = Symbol('DIGEST_SUBSCRIPTIONS');
export const DIGEST_RUNS = Symbol('DIGEST_RUNS');
export const SEEN_TENANTS = Symbol('SEEN_TENANTS');
export const KEYS_REQUIRED = Symbol('KEYS_REQUIRED');
export const PROVIDER_ADMIN_KEYS = Symbol('PROVIDER_ADMIN_KEYS');
export const BILLED_DAYS = Symbol('BILLED_DAYS');
export const ALERT_RULES_SEEDED = Symbol('ALERT_RULES_SEEDED');
