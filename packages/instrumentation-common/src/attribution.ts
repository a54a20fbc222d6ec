import { type Baggage, type Context, context, propagation } from '@opentelemetry/api';
import { ATTR_GEN_AI_AGENT_ID, ATTR_GEN_AI_CONVERSATION_ID, ATTR_TOKENLEDGER_FEATURE, ATTR_TOKENLEDGER_TAG_PREFIX, ATTR_USER_ID } from '@tokenledger/semconv';

/** Baggage keys that carry attribution; they are the span attribute names themselves. */
export const ATTRIBUTION_KEYS = [ATTR_USER_ID, ATTR_GEN_AI_AGENT_ID, ATTR_GEN_AI_CONVERSATION_ID, ATTR_TOKENLEDGER_FEATURE] as const;

export type Attribution = Readonly<Record<string, string>>;

const NONE: Attribution = Object.freeze({});

/**
 * A Baggage is immutable and an app usually sets it once for a request or a job, which then makes
 * many calls: the attribution read from it is kept beside it (and goes when it goes).
 */
const read = new WeakMap<Baggage, Attribution>();

/**
 * The user, agent, conversation, feature and tags of a context (the current one unless given), from
 * W3C baggage (which also carries them across HTTP hops), as span attributes. Shared and frozen:
 * copy it to change it.
 */
export function attributionFromContext(from: Context = context.active()): Attribution {
  const baggage = propagation.getBaggage(from);
  if (!baggage) return NONE;
  let attribution = read.get(baggage);
  if (attribution === undefined) {
    const found: Record<string, string> = {};
    for (const [key, entry] of baggage.getAllEntries()) {
      if ((ATTRIBUTION_KEYS as readonly string[]).includes(key) || key.startsWith(ATTR_TOKENLEDGER_TAG_PREFIX)) found[key] = entry.value;
    }
    attribution = Object.freeze(found);
    read.set(baggage, attribution);
  }
  return attribution;
}
