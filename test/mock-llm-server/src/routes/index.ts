import type { RouteHandler } from '../http';
import { anthropicRoutes } from './anthropic';
import { geminiRoutes } from './gemini';
import { openAiRoutes } from './openai';

/**
 * Every provider's routes, tried in order. Each provider lives in its own file and exports one
 * RouteHandler that returns false for paths it does not serve.
 */
export const routes: RouteHandler[] = [openAiRoutes, anthropicRoutes, geminiRoutes];
