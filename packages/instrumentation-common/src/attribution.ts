import { context, propagation } from '@opentelemetry/api';
import { ATTR_GEN_AI_AGENT_ID, ATTR_GEN_AI_CONVERSATION_ID, ATTR_TOKENLEDGER_FEATURE, ATTR_TOKENLEDGER_TAG_PREFIX, ATTR_USER_ID } from '@tokenledger/semconv';

/** Baggage keys that carry attribution; they are the span attribute names themselves. */
export const ATTRIBUTION_KEYS = [ATTR_USER_ID, ATTR_GEN_AI_AGENT_ID, ATTR_GEN_AI_CONVERSATION_ID, ATTR_TOKENLEDGER_FEATURE] as const;

/**
 * The user, agent, conversation, feature and tags of the current context, from W3C baggage (which
 * also carries them across HTTP hops), as span attributes.
 */
export function attributionFromContext(): Record<string, string> {
  const baggage = propagation.getBaggage(context.active());
  if (!baggage) return {};
  const out: Record<string, string> = {};
  for (const [key, entry] of baggage.getAllEntries()) {
    if ((ATTRIBUTION_KEYS as readonly string[]).includes(key) || key.startsWith(ATTR_TOKENLEDGER_TAG_PREFIX)) out[key] = entry.value;
  }
  return out;
}
