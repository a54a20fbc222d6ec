/** Injection token of the StoragePort adapter chosen by TOKENLEDGER_STORE. */
export const STORAGE = Symbol('STORAGE');
