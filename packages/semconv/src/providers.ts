/**
 * Provider names: the one table that maps every spelling tokenledger meets to the GenAI convention's
 * `gen_ai.provider.name` value (what is stored and reported), and each of those to the price
 * catalog's provider id (what pricing looks up).
 *
 * Source: the `gen_ai.provider.name` well-known values of the GenAI semantic conventions; older
 * `gen_ai.system` values (`az.ai.openai`, `vertex_ai`, `gemini`); the Vercel AI SDK's suffixed provider
 * ids (`openai.responses`, `google.generative-ai`); the pydantic genai-prices catalog's provider ids.
 */

/** Well-known `gen_ai.provider.name` values. */
export const GenAiProvider = {
  OPENAI: 'openai',
  ANTHROPIC: 'anthropic',
  GCP_GEMINI: 'gcp.gemini',
  GCP_VERTEX_AI: 'gcp.vertex_ai',
  GCP_GEN_AI: 'gcp.gen_ai',
  AWS_BEDROCK: 'aws.bedrock',
  AZURE_AI_OPENAI: 'azure.ai.openai',
  AZURE_AI_INFERENCE: 'azure.ai.inference',
  MISTRAL_AI: 'mistral_ai',
  GROQ: 'groq',
  DEEPSEEK: 'deepseek',
  X_AI: 'x_ai',
  COHERE: 'cohere',
  PERPLEXITY: 'perplexity',
  IBM_WATSONX_AI: 'ibm.watsonx.ai',
} as const;

/** Other spellings → `gen_ai.provider.name`. Keys are lower case. */
const ALIASES: Readonly<Record<string, string>> = {
  google: GenAiProvider.GCP_GEMINI,
  gemini: GenAiProvider.GCP_GEMINI,
  'google.generative-ai': GenAiProvider.GCP_GEMINI,
  'google-genai': GenAiProvider.GCP_GEMINI,
  googleai: GenAiProvider.GCP_GEMINI,
  vertex_ai: GenAiProvider.GCP_VERTEX_AI,
  vertexai: GenAiProvider.GCP_VERTEX_AI,
  'google.vertex': GenAiProvider.GCP_VERTEX_AI,
  'google-vertex': GenAiProvider.GCP_VERTEX_AI,
  aws: GenAiProvider.AWS_BEDROCK,
  bedrock: GenAiProvider.AWS_BEDROCK,
  'amazon-bedrock': GenAiProvider.AWS_BEDROCK,
  azure: GenAiProvider.AZURE_AI_OPENAI,
  'azure-openai': GenAiProvider.AZURE_AI_OPENAI,
  'az.ai.openai': GenAiProvider.AZURE_AI_OPENAI,
  'az.ai.inference': GenAiProvider.AZURE_AI_INFERENCE,
  mistral: GenAiProvider.MISTRAL_AI,
  mistralai: GenAiProvider.MISTRAL_AI,
  'x-ai': GenAiProvider.X_AI,
  xai: GenAiProvider.X_AI,
  'x.ai': GenAiProvider.X_AI,
  watsonx: GenAiProvider.IBM_WATSONX_AI,
};

/** `gen_ai.provider.name` → the price catalog's provider id, where they differ. */
const CATALOG_IDS: Readonly<Record<string, string>> = {
  [GenAiProvider.GCP_GEMINI]: 'google',
  [GenAiProvider.GCP_VERTEX_AI]: 'google',
  [GenAiProvider.GCP_GEN_AI]: 'google',
  [GenAiProvider.AWS_BEDROCK]: 'aws',
  [GenAiProvider.AZURE_AI_OPENAI]: 'azure',
  [GenAiProvider.AZURE_AI_INFERENCE]: 'azure',
  [GenAiProvider.MISTRAL_AI]: 'mistral',
  [GenAiProvider.X_AI]: 'x-ai',
};

const KNOWN = new Set<string>(Object.values(GenAiProvider));

/** A table's own entry for a name from a span, never one every object has (`constructor`, `__proto__`). */
const entry = (table: Readonly<Record<string, string>>, key: string): string | undefined => (Object.hasOwn(table, key) ? table[key] : undefined);

/**
 * The `gen_ai.provider.name` for any spelling: known values and aliases map to the convention's value;
 * a suffixed form (`openai.responses`, `anthropic.messages`) maps through its prefix; anything else is
 * returned lower-cased and trimmed (a provider the table does not know keeps its own name).
 */
export function canonicalProvider(name: string): string {
  const key = name.trim().toLowerCase();
  if (KNOWN.has(key)) return key;
  const alias = entry(ALIASES, key);
  if (alias) return alias;
  const dot = key.indexOf('.');
  if (dot > 0) {
    const prefix = key.slice(0, dot);
    if (KNOWN.has(prefix)) return prefix;
    const prefixAlias = entry(ALIASES, prefix);
    if (prefixAlias) return prefixAlias;
  }
  return key;
}

/** The price catalog's provider id for a provider name in any spelling. */
export function catalogProviderId(name: string): string {
  const canonical = canonicalProvider(name);
  return entry(CATALOG_IDS, canonical) ?? canonical;
}

/** The company that sells each provider's service, as invoices and FinOps tools name it (FOCUS ProviderName). */
const DISPLAY_NAMES: Readonly<Record<string, string>> = {
  [GenAiProvider.OPENAI]: 'OpenAI',
  [GenAiProvider.ANTHROPIC]: 'Anthropic',
  [GenAiProvider.GCP_GEMINI]: 'Google',
  [GenAiProvider.GCP_VERTEX_AI]: 'Google Cloud',
  [GenAiProvider.GCP_GEN_AI]: 'Google Cloud',
  [GenAiProvider.AWS_BEDROCK]: 'Amazon Web Services',
  [GenAiProvider.AZURE_AI_OPENAI]: 'Microsoft',
  [GenAiProvider.AZURE_AI_INFERENCE]: 'Microsoft',
  [GenAiProvider.MISTRAL_AI]: 'Mistral AI',
  [GenAiProvider.GROQ]: 'Groq',
  [GenAiProvider.DEEPSEEK]: 'DeepSeek',
  [GenAiProvider.X_AI]: 'xAI',
  [GenAiProvider.COHERE]: 'Cohere',
  [GenAiProvider.PERPLEXITY]: 'Perplexity',
  [GenAiProvider.IBM_WATSONX_AI]: 'IBM',
};

/** The seller's name for a provider in any spelling; a provider the table does not know keeps its own name. */
export function providerDisplayName(name: string): string {
  const canonical = canonicalProvider(name);
  return entry(DISPLAY_NAMES, canonical) ?? canonical;
}
