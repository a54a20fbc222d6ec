export { startMockLlmServer, type MockLlmServer, type MockLlmServerOptions } from './server';
export { parseScenario } from './scenario';
export { sendJson, sendSse, sendBytes, type RecordedRequest, type RouteHandler, type Scenario } from './http';
export { chatUsage } from './routes/openai';
export { loopbackCertificate, type LoopbackCertificate } from './tls';
export {
  billingRoutes,
  MockBilling,
  type Day,
  type OpenAiCostLine,
  type AnthropicCostLine,
  type AnthropicMessagesUsage,
  type OpenAiCompletionsUsage,
} from './billing';
