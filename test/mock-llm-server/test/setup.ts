import { runInThisContext } from 'node:vm';

// @google/genai sends through Node's global undici dispatcher, which Node keeps on the main realm's
// globalThis; jest runs tests in a separate realm, so lend it the main realm's dispatcher.
const DISPATCHER = Symbol.for('undici.globalDispatcher.1');
(globalThis as Record<symbol, unknown>)[DISPATCHER] ??= runInThisContext(`new Headers(); globalThis[Symbol.for('undici.globalDispatcher.1')]`);
