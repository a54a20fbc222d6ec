import { GenAiProvider } from '@tokenledger/semconv';

/** The clients of Anthropic's cloud packages build on this SDK's Messages class; their calls are priced by that cloud. */
const CLIENT_PROVIDERS: Record<string, string> = {
  AnthropicBedrock: GenAiProvider.AWS_BEDROCK,
  AnthropicVertex: GenAiProvider.GCP_VERTEX_AI,
};

export interface ClientLike {
  baseURL?: string;
  constructor?: { name?: string };
}

/** `gen_ai.provider.name` and the server address of the client a Messages resource belongs to. */
export function providerOfClient(client: ClientLike | undefined): { provider: string; host: string | null; port: number | null } {
  let host: string | null = null;
  let port: number | null = null;
  try {
    const url = new URL(client?.baseURL ?? 'https://api.anthropic.com');
    host = url.hostname;
    port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  } catch {
    // An unparsable base URL: the SDK will fail the call itself.
  }
  return { provider: CLIENT_PROVIDERS[client?.constructor?.name ?? ''] ?? GenAiProvider.ANTHROPIC, host, port };
}
