import type { Attributes } from '@opentelemetry/api';
import { estimateTextTokens, type Usage } from '@tokenledger/instrumentation-common';
import { ATTR_TOKENLEDGER_USAGE_ESTIMATED } from '@tokenledger/semconv';

/** Marks a span whose token counts were estimated because the response reported none. */
export const ESTIMATED: Attributes = { [ATTR_TOKENLEDGER_USAGE_ESTIMATED]: true };

/**
 * The text of anything Gemini accepts as content: a string, a Part (`{ text }`), a Content
 * (`{ role, parts }`), an embed request (`{ content }`), or a list of those. Images, files and
 * function calls carry no text and are not counted, so an estimate is a lower bound.
 */
export function geminiText(value: unknown, depth = 0): string {
  if (typeof value === 'string') return value;
  if (!value || typeof value !== 'object' || depth > 4) return '';
  if (Array.isArray(value)) return value.map((v) => geminiText(v, depth + 1)).join('');
  const v = value as { text?: unknown; thought?: unknown; parts?: unknown; content?: unknown };
  if (typeof v.text === 'string') return v.thought ? '' : v.text;
  if (v.parts !== undefined) return geminiText(v.parts, depth + 1);
  if (v.content !== undefined) return geminiText(v.content, depth + 1);
  return '';
}

/**
 * Tokens of a generation the response reported no usage for, counted with a BPE tokenizer (Gemini's
 * own tokenizer is not public): the prompt's text, and the text that came back.
 */
export function estimateGeneration(model: string, prompt: unknown[], outputText: string): Usage {
  return { input: estimateTextTokens(model, prompt.map((p) => geminiText(p)).join('')), output: estimateTextTokens(model, outputText) };
}

export function estimateEmbeddings(model: string, inputs: unknown): Usage {
  return { input: estimateTextTokens(model, geminiText(inputs)) };
}
