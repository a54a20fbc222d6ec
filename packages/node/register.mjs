// `node --import @tokenledger/node/register app.mjs`: the OpenTelemetry ESM loader hook
// (import-in-the-middle, through @opentelemetry/instrumentation/hook.mjs) is registered first, limited
// to the modules the instrumentations hook, then tokenledger starts; the app's `import OpenAI from
// 'openai'` then gets the patched SDK. CommonJS code in the same app is patched by the require hook.
import { createRequire, register } from 'node:module';

const require = createRequire(import.meta.url);
const { startTokenledger, sdkDisabled } = require('./dist/index.js');

if (sdkDisabled()) {
  startTokenledger();
} else {
  const { createAddHookMessageChannel } = require('import-in-the-middle');
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, registerOptions);
  startTokenledger();
  // The loader learns which modules to wrap over a message channel: wait until it has, so the
  // app's first import of an SDK is already wrapped.
  await waitForAllMessagesAcknowledged();
}
