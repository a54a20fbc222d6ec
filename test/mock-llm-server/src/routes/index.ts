import type { RouteHandler } from '../http';
import { anthropicRoutes } from './anthropic';
import { anthropicBatchRoutes } from './anthropic-batch';
import { geminiRoutes } from './gemini';
import { geminiBatchRoutes } from './gemini-batch';
import { GeminiFiles } from './gemini-files';
import { openAiRoutes } from './openai';
import { openAiBatchRoutes } from './openai-batch';

/**
 * Every provider's routes, tried in order, for one server: the batch APIs keep their files and jobs
 * per server. Each provider lives in its own files and exports one RouteHandler that returns false
 * for paths it does not serve.
 */
export function createRoutes(): RouteHandler[] {
  const geminiFiles = new GeminiFiles();
  return [openAiRoutes, geminiFiles.routes, geminiBatchRoutes(geminiFiles), openAiBatchRoutes(), anthropicBatchRoutes(), anthropicRoutes, geminiRoutes];
}
