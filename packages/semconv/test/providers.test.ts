import { canonicalProvider, catalogProviderId, GenAiProvider } from '../src';

describe('provider names', () => {
  it.each([
    ['openai', 'openai'],
    ['OpenAI', 'openai'],
    ['google', 'gcp.gemini'],
    ['google.generative-ai', 'gcp.gemini'],
    ['vertex_ai', 'gcp.vertex_ai'],
    ['az.ai.openai', 'azure.ai.openai'],
    ['azure', 'azure.ai.openai'],
    ['mistral', 'mistral_ai'],
    ['x-ai', 'x_ai'],
    ['aws', 'aws.bedrock'],
    ['openai.responses', 'openai'],
    ['anthropic.messages', 'anthropic'],
    ['mistral.chat', 'mistral_ai'],
    ['  Groq ', 'groq'],
  ])('maps %j to the convention value %j', (input, expected) => {
    expect(canonicalProvider(input)).toBe(expected);
  });

  it('keeps an unknown provider under its own lower-cased name', () => {
    expect(canonicalProvider('OpenRouter')).toBe('openrouter');
    expect(canonicalProvider('my.local.server')).toBe('my.local.server');
  });

  it('maps convention values to the price catalog ids pricing looks up', () => {
    expect(catalogProviderId(GenAiProvider.GCP_GEMINI)).toBe('google');
    expect(catalogProviderId(GenAiProvider.GCP_VERTEX_AI)).toBe('google');
    expect(catalogProviderId('mistral_ai')).toBe('mistral');
    expect(catalogProviderId('x_ai')).toBe('x-ai');
    expect(catalogProviderId('azure.ai.openai')).toBe('azure');
    expect(catalogProviderId('anthropic')).toBe('anthropic');
    expect(catalogProviderId('openrouter')).toBe('openrouter');
  });
});
