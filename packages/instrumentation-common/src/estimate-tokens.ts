/**
 * Token estimates for calls whose provider reported no usage — typically a chat stream requested
 * without `stream_options.include_usage`. Counted with `gpt-tokenizer` (pure JS, the tiktoken
 * encodings); spans carrying an estimate also carry `tokenledger.usage.estimated=true`.
 *
 * Each encoding is loaded on first use only (about 20 MB of heap and a second or two of parsing), so
 * an app whose provider always reports usage never pays for it.
 */
import { textOr } from './request-text';
type CountTokens = (text: string, options: { disallowedSpecial: Set<string> }) => number;

/** Models on the o200k_base encoding; everything else OpenAI-named before them is cl100k_base. */
const O200K_MODELS = /^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|gpt-image|gpt-audio|gpt-realtime|chatgpt-|o\d|codex)/;
const CL100K_MODELS = /^(gpt-4|gpt-3\.5|text-embedding|davinci-002|babbage-002)/;

/** User text may contain `<|endoftext|>`: count it as text, never throw. */
const AS_TEXT = { disallowedSpecial: new Set<string>() };

let o200k: CountTokens | undefined;
let cl100k: CountTokens | undefined;

/** The encoding a model uses; models of other providers get o200k_base, the closest modern BPE. */
export function encodingFor(model: string): 'o200k_base' | 'cl100k_base' {
  const name = model.replace(/^.*\//, '').toLowerCase(); // `openai/gpt-4o` (routers) → `gpt-4o`
  return CL100K_MODELS.test(name) && !O200K_MODELS.test(name) ? 'cl100k_base' : 'o200k_base';
}

function counter(model: string): CountTokens {
  /* eslint-disable @typescript-eslint/no-require-imports */
  if (encodingFor(model) === 'cl100k_base') return (cl100k ??= (require('gpt-tokenizer/encoding/cl100k_base') as { countTokens: CountTokens }).countTokens);
  return (o200k ??= (require('gpt-tokenizer/encoding/o200k_base') as { countTokens: CountTokens }).countTokens);
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** Tokens of a plain text in the model's encoding. */
export function estimateTextTokens(model: string, text: string): number {
  return text ? counter(model)(text, AS_TEXT) : 0;
}

/** The text parts of a message's content: a string, or an array of parts with `text` (images are not counted). */
export function textOfContent(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as unknown[]).map((part) => (typeof part === 'string' ? part : textOr((part as { text?: unknown } | null)?.text, ''))).join('');
}

export interface EstimatedMessage {
  role?: unknown;
  name?: unknown;
  content?: unknown;
  tool_calls?: { function?: { name?: unknown; arguments?: unknown } }[];
}

/**
 * Input tokens of a chat request, the way OpenAI's cookbook counts them: 3 tokens of framing per
 * message, the role, the content (text parts), 1 for a name, tool-call names and arguments, and 3 to
 * prime the reply. Tool definitions and images are not counted, so this is a lower bound.
 */
export function estimateMessagesTokens(model: string, messages: readonly EstimatedMessage[]): number {
  const count = counter(model);
  let tokens = 3;
  for (const m of messages) {
    tokens += 3;
    if (typeof m.role === 'string') tokens += count(m.role, AS_TEXT);
    const text = textOfContent(m.content);
    if (text) tokens += count(text, AS_TEXT);
    if (typeof m.name === 'string') tokens += 1 + count(m.name, AS_TEXT);
    for (const call of m.tool_calls ?? []) {
      tokens += count(textOr(call.function?.name, '') + textOr(call.function?.arguments, ''), AS_TEXT);
    }
  }
  return tokens;
}
