export { startMockLlmServer, parseScenario, type MockLlmServer } from './server';
export { sendJson, sendSse, sendBytes, type RecordedRequest, type RouteHandler, type Scenario } from './http';
export { chatUsage } from './routes/openai';
