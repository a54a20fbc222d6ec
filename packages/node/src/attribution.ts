import { type Baggage, context, type Context, propagation } from '@opentelemetry/api';
import { ATTR_GEN_AI_AGENT_ID, ATTR_GEN_AI_CONVERSATION_ID, ATTR_TOKENLEDGER_FEATURE, ATTR_TOKENLEDGER_TAG_PREFIX, ATTR_USER_ID } from '@tokenledger/semconv';

/** Who and what caused the AI calls made inside: the user, agent, conversation, product feature and free tags. */
export interface Attribution {
  userId?: string;
  agentId?: string;
  conversationId?: string;
  feature?: string;
  tags?: Record<string, string>;
}

const FIELDS: readonly [keyof Omit<Attribution, 'tags'>, string][] = [
  ['userId', ATTR_USER_ID],
  ['agentId', ATTR_GEN_AI_AGENT_ID],
  ['conversationId', ATTR_GEN_AI_CONVERSATION_ID],
  ['feature', ATTR_TOKENLEDGER_FEATURE],
];

/** A tag name becomes part of a baggage key and an attribute name: keep it to what both allow unescaped. */
const TAG_NAME = /^[A-Za-z0-9_.-]+$/;

/** Throws a TypeError naming the field when an attribution is malformed. */
export function checkAttribution(attribution: Attribution, where: string): void {
  if (attribution === null || typeof attribution !== 'object')
    throw new TypeError(`${where}: attribution must be an object like { userId, agentId, conversationId, feature, tags }`);
  for (const [field] of FIELDS) {
    const value = attribution[field];
    if (value !== undefined && (typeof value !== 'string' || value === ''))
      throw new TypeError(`${where}: ${field} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  const tags = attribution.tags;
  if (tags === undefined) return;
  if (tags === null || typeof tags !== 'object' || Array.isArray(tags)) throw new TypeError(`${where}: tags must be an object of string values`);
  for (const [name, value] of Object.entries(tags)) {
    if (!TAG_NAME.test(name)) throw new TypeError(`${where}: tags.${name} is not a valid tag name (letters, digits, "_", "-", "." only)`);
    if (typeof value !== 'string') throw new TypeError(`${where}: tags.${name} must be a string, got ${JSON.stringify(value)}`);
  }
}

/** The baggage entries (named as the span attributes) for an attribution. */
export function attributionEntries(attribution: Attribution): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, key] of FIELDS) {
    const value = attribution[field];
    if (typeof value === 'string') out[key] = value;
  }
  for (const [name, value] of Object.entries(attribution.tags ?? {})) out[ATTR_TOKENLEDGER_TAG_PREFIX + name] = value;
  return out;
}

/** `ctx` with the attribution added to its baggage; entries already there are kept unless replaced. */
export function contextWithAttribution(attribution: Attribution, ctx: Context = context.active()): Context {
  let baggage: Baggage = propagation.getBaggage(ctx) ?? propagation.createBaggage();
  for (const [key, value] of Object.entries(attributionEntries(attribution))) baggage = baggage.setEntry(key, { value });
  return propagation.setBaggage(ctx, baggage);
}

/**
 * Runs `fn` with the attribution in the active context: every GenAI span started inside (across
 * `await`, timers, callbacks and streams read inside) carries it as attributes, and outgoing HTTP
 * requests carry it as W3C baggage when a propagator is installed (the hook installs one). Nested
 * calls add to or replace the outer attribution.
 */
export function withAttribution<T>(attribution: Attribution, fn: () => T): T {
  checkAttribution(attribution, 'withAttribution');
  if (typeof fn !== 'function') throw new TypeError('withAttribution: fn must be a function');
  return context.with(contextWithAttribution(attribution), fn);
}

/**
 * Adds the attribution to the rest of the current asynchronous execution (for a server that handles
 * each request in its own async context: the rest of that request), without a callback, through the
 * OpenTelemetry context API's `attach`. Call it at the start of a request handler, before its first
 * `await`'s continuation matters, or prefer `withAttribution`, which cannot leak into the caller.
 * `dispose()` on the returned token restores the previous attribution.
 */
export function setAttribution(attribution: Attribution): { dispose(): void } {
  checkAttribution(attribution, 'setAttribution');
  return context.attach(contextWithAttribution(attribution));
}

/** The attribution of the current context, as it would be put on a span. */
export function currentAttribution(): Attribution {
  const baggage = propagation.getBaggage(context.active());
  const out: Attribution = {};
  if (!baggage) return out;
  for (const [field, key] of FIELDS) {
    const value = baggage.getEntry(key)?.value;
    if (value !== undefined) out[field] = value;
  }
  for (const [key, entry] of baggage.getAllEntries()) {
    if (key.startsWith(ATTR_TOKENLEDGER_TAG_PREFIX)) (out.tags ??= {})[key.slice(ATTR_TOKENLEDGER_TAG_PREFIX.length)] = entry.value;
  }
  return out;
}
