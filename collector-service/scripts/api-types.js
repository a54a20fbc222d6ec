// Writes the dashboard's API types (web/src/api.gen.d.ts) from the OpenAPI document of the built
// service, as openapi-typescript makes them. A build step, not part of the service: openapi-typescript
// is a development dependency, so this lives outside src/ (whose dist/ is the published package).
// Run: node scripts/api-types.js <file to write>   (after tsc has built dist/)
'use strict';
require('reflect-metadata');
const { writeFileSync } = require('node:fs');
const { createApp } = require('../dist/app');
const { loadConfig } = require('../dist/config/config');
const { openApiDocument } = require('../dist/http/openapi');

const HEADER = `// The API's types, generated at build from the OpenAPI document of the service (its DTO classes):
// see scripts/api-types.js. Not edited by hand, not committed.

`;

/**
 * The document is the one /docs-json serves, built from an app that never listens, on an empty
 * in-memory store, so the build needs no running service.
 */
async function writeApiTypes(file) {
  const { default: openapiTS, astToString } = require('openapi-typescript');
  const app = await createApp(loadConfig({ TOKENLEDGER_SQLITE_PATH: ':memory:' }), { logger: false });
  try {
    await app.init();
    const document = JSON.parse(JSON.stringify(openApiDocument(app)));
    writeFileSync(file, HEADER + astToString(await openapiTS(document)));
  } finally {
    await app.close();
  }
}

const [file] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/api-types.js <file to write>');
  process.exit(2);
}
writeApiTypes(file).then(
  // The app's pools and timers are closed; exit rather than wait on a handle a dependency keeps.
  () => process.exit(0),
  (err) => {
    console.error(`api-types: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
