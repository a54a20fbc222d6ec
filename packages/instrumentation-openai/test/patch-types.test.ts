import { join } from 'node:path';
import { typeErrors } from '@tokenledger/otel-harness';

// A TypeScript user patches the SDK module they imported, with the SDK's own types: that compiles.
test('the SDK module, imported with its own types, fits the patch methods', async () => {
  expect(await typeErrors(join(__dirname, 'fixtures', 'tsconfig.patch-types.json'))).toBe('');
}, 180_000);
