import type { Attributes } from '@opentelemetry/api';
import * as sc from '@tokenledger/semconv';
import type { GeminiResponse } from './gemini-response';

/** Prompt attributes, only when content capture is on (prompts are personal data). */
export function inputContent(capture: boolean, contents: unknown, systemInstruction: unknown): Attributes {
  if (!capture) return {};
  const attributes: Attributes = {};
  if (contents !== undefined) attributes[sc.ATTR_GEN_AI_INPUT_MESSAGES] = JSON.stringify(contents);
  if (systemInstruction !== undefined) attributes[sc.ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = JSON.stringify(systemInstruction);
  return attributes;
}

/** The candidates' contents of a whole response, only when content capture is on. */
export function outputContent(capture: boolean, r: GeminiResponse): Attributes | undefined {
  if (!capture || !r?.candidates) return undefined;
  return { [sc.ATTR_GEN_AI_OUTPUT_MESSAGES]: JSON.stringify(r.candidates.map((c) => c?.content)) };
}

/**
 * Collects a stream's text, for content capture and to estimate output tokens when no usage comes:
 * per chunk it keeps the parts' own strings, joined once when the text is read.
 */
export class StreamedText {
  private readonly parts: string[] = [];
  add(r: GeminiResponse): void {
    const parts = (r?.candidates?.[0]?.content as { parts?: { text?: unknown; thought?: unknown }[] } | undefined)?.parts;
    if (!parts) return;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (typeof part?.text === 'string' && !part.thought) this.parts.push(part.text);
    }
  }
  get text(): string {
    return this.parts.join('');
  }
  attributes(): Attributes {
    return { [sc.ATTR_GEN_AI_OUTPUT_MESSAGES]: JSON.stringify([{ role: 'model', parts: [{ text: this.text }] }]) };
  }
}
