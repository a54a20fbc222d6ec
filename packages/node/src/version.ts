/** This package's name and version, as the instrumentation scope of the spans and metrics it emits. */
export const PACKAGE_NAME = '@tokenledger/node';
// The released version (lerna.json sets it in package.json), read rather than repeated here.
export const PACKAGE_VERSION = (require('../package.json') as { version: string }).version;
