// The ESM entry: the CommonJS build's named exports, so an app that imports this package and one that
// requires it share one module instance (one set of instrumentations, one attribution state).
export * from '../dist/index.js';
