import type { RouteHandler } from '../http';
import { anthropicAdminRoutes } from './anthropic-admin';
import { openAiAdminRoutes } from './openai-admin';
import type { MockBilling } from './ledger';

export {
  MockBilling,
  OpenAiBill,
  AnthropicBill,
  type Day,
  type OpenAiCostLine,
  type AnthropicCostLine,
  type AnthropicMessagesUsage,
  type OpenAiCompletionsUsage,
} from './ledger';

/** The organization admin APIs of both providers over one bill: pass them as a server's handlers, beside (or instead of) the model APIs. */
export const billingRoutes = (billing: MockBilling): RouteHandler[] => [openAiAdminRoutes(billing), anthropicAdminRoutes(billing)];
