import { type CallTarget, targetOfUrl } from '@tokenledger/instrumentation-common';
import { GenAiProvider } from '@tokenledger/semconv';

/** Hosts of OpenAI-compatible APIs → `gen_ai.provider.name`. */
const HOSTS: [RegExp, string][] = [
  [/(^|\.)openai\.azure\.com$/, GenAiProvider.AZURE_AI_OPENAI],
  [/(^|\.)openrouter\.ai$/, 'openrouter'],
  [/(^|\.)groq\.com$/, GenAiProvider.GROQ],
  [/(^|\.)deepseek\.com$/, GenAiProvider.DEEPSEEK],
  [/(^|\.)mistral\.ai$/, GenAiProvider.MISTRAL_AI],
  [/(^|\.)x\.ai$/, GenAiProvider.X_AI],
  [/(^|\.)perplexity\.ai$/, GenAiProvider.PERPLEXITY],
  [/(^|\.)googleapis\.com$/, GenAiProvider.GCP_GEMINI],
];

/**
 * The provider an OpenAI client talks to, from its base URL. api.openai.com — and any other host,
 * including a local server speaking the OpenAI API — is `openai`, so its calls are priced like
 * OpenAI's unless the instrumentation is told otherwise (`providerName`).
 */
export function providerFromBaseUrl(baseURL: string | undefined, isAzureClient: boolean): CallTarget {
  const target = targetOfUrl(baseURL ?? 'https://api.openai.com/v1', GenAiProvider.OPENAI);
  if (isAzureClient) return { ...target, provider: GenAiProvider.AZURE_AI_OPENAI };
  const host = target.serverAddress;
  const match = host ? HOSTS.find(([re]) => re.test(host)) : undefined;
  return match ? { ...target, provider: match[1] } : target;
}
