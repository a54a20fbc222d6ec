export { testTelemetry, type TestTelemetry } from './telemetry';
export { instrumentedSdk, type InstrumentedSdk } from './instrumented-sdk';
export { httpSpans, httpSpansUnder, recordHttpClientSpans } from './http-client-spans';
export { asUser, Refused } from './call-gate-fixtures';
export { typeErrors } from './type-check';
