import type { RouteHandler } from '../http';

/**
 * Every provider's routes, tried in order. Each provider lives in its own file
 * (`openai.ts`, `anthropic.ts`, `gemini.ts`) and exports one RouteHandler that returns false for
 * paths it does not serve.
 */
export const routes: RouteHandler[] = [];
