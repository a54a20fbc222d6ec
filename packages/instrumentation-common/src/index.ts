export { GenAiCall, GenAiMetrics, errorTypeOf, type CallStart, type Usage } from './genai-telemetry';
export { GenAiInstrumentation, type GenAiInstrumentationConfig, type GenAiSurfaceContext } from './genai-instrumentation';
export { guard } from './guard';
export { attributionFromContext, ATTRIBUTION_KEYS } from './attribution';
export { observeApiPromise } from './api-promise';
export { observeAsyncIterator, observeSdkStream, type IteratorObserver } from './observe-iterator';
export { setCallGate, gateCall, type CallGate, type CallDescription, type GateAnswer } from './call-gate';
export { estimateTextTokens, estimateMessagesTokens, encodingFor, textOfContent, type EstimatedMessage } from './estimate-tokens';
export { gateApiCall, type ApiPromiseLike } from './gated-api-promise';
