import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import openapiTS, { astToString } from 'openapi-typescript';
import { createApp } from './app';
import { loadConfig } from './config/config';
import { openApiDocument } from './http/openapi';

const HEADER = `// The API's types, generated at build from the OpenAPI document of the service (its DTO classes):
// see src/openapi-types.ts. Not edited by hand, not committed.

`;

/**
 * Writes the TypeScript types of the API, as openapi-typescript makes them from the OpenAPI document,
 * to the file named. The document is the one /docs-json serves, built from an app that never
 * listens, on an empty in-memory store, so the build needs no running service.
 */
async function writeApiTypes(file: string): Promise<void> {
  const app = await createApp(loadConfig({ TOKENLEDGER_SQLITE_PATH: ':memory:' }), { logger: false });
  try {
    await app.init();
    const document = openApiDocument(app);
    writeFileSync(file, HEADER + astToString(await openapiTS(JSON.parse(JSON.stringify(document)) as Parameters<typeof openapiTS>[0])));
  } finally {
    await app.close();
  }
}

const [file] = process.argv.slice(2);
if (!file) {
  console.error('usage: node dist/openapi-types.js <file to write>');
  process.exit(2);
}
writeApiTypes(file).then(
  // The app's pools and timers are closed; exit rather than wait on a handle a dependency keeps.
  () => process.exit(0),
  (err: unknown) => {
    console.error(`openapi-types: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
