import { type CallTarget, targetOfUrl } from '@tokenledger/instrumentation-common';
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
export function providerOfClient(client: ClientLike | undefined, baseURL: string | undefined): CallTarget {
  return targetOfUrl(baseURL ?? 'https://api.anthropic.com', CLIENT_PROVIDERS[client?.constructor?.name ?? ''] ?? GenAiProvider.ANTHROPIC);
}
