export * from './gen-ai';
export * from './general';
export * from './tokenledger';
export * from './metrics';
export * from './foreign';
export * from './providers';
