/** This package's name and version, as the instrumentation scope of the spans and metrics it emits. */
export const PACKAGE_NAME = '@tokenledger/node';
export const PACKAGE_VERSION = '0.1.0';
