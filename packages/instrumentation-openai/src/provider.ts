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
export function providerFromBaseUrl(baseURL: string | undefined, isAzureClient: boolean): { provider: string; host: string | null; port: number | null } {
  let host: string | null = null;
  let port: number | null = null;
  try {
    const url = new URL(baseURL ?? 'https://api.openai.com/v1');
    host = url.hostname;
    port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  } catch {
    // An unparsable base URL: the SDK will fail the call itself.
  }
  if (isAzureClient) return { provider: GenAiProvider.AZURE_AI_OPENAI, host, port };
  const match = host ? HOSTS.find(([re]) => re.test(host!)) : undefined;
  return { provider: match ? match[1] : GenAiProvider.OPENAI, host, port };
}
