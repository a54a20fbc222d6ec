import { encodingFor, estimateMessagesTokens, estimateTextTokens, textOfContent } from '../src';

describe('token estimates', () => {
  it('picks o200k_base for current OpenAI models and cl100k_base for the GPT-4 / 3.5 generation', () => {
    expect(['gpt-4o-mini', 'gpt-4.1', 'gpt-5', 'o3-mini', 'openai/gpt-4o', 'claude-sonnet-4-5'].map(encodingFor)).toEqual(Array(6).fill('o200k_base'));
    expect(['gpt-4', 'gpt-4-turbo', 'gpt-3.5-turbo', 'text-embedding-3-small'].map(encodingFor)).toEqual(Array(4).fill('cl100k_base'));
  });

  it('counts text with the model encoding', () => {
    expect(estimateTextTokens('gpt-4o', 'hello world')).toBe(2);
    expect(estimateTextTokens('gpt-4o', '')).toBe(0);
    // The same text splits differently in the two encodings.
    expect(estimateTextTokens('gpt-4o', 'こんにちは、世界')).toBe(3);
    expect(estimateTextTokens('gpt-4', 'こんにちは、世界')).toBe(5);
  });

  it('counts special-token text in user content as text instead of throwing', () => {
    expect(estimateTextTokens('gpt-4o', '<|endoftext|>')).toBe(7);
  });

  it('frames chat messages the way OpenAI counts them', () => {
    // 3 to prime the reply + per message 3 of framing + role + content (+ 1 and the name for a name)
    expect(estimateMessagesTokens('gpt-4o', [{ role: 'user', content: 'hello world' }])).toBe(3 + 3 + 1 + 2);
    expect(estimateMessagesTokens('gpt-4o', [{ role: 'user', name: 'bob', content: 'hello world' }])).toBe(3 + 3 + 1 + 2 + 1 + 1);
    expect(estimateMessagesTokens('gpt-4o', [{ role: 'user', content: [{ type: 'text', text: 'hello world' }, { type: 'image_url' }] }])).toBe(9);
    expect(estimateMessagesTokens('gpt-4o', [{ role: 'assistant', content: null, tool_calls: [{ function: { name: 'get_weather', arguments: '{}' } }] }])).toBe(
      3 + 3 + 1 + 3,
    );
  });

  it('reads text parts of array content and ignores the rest', () => {
    expect(textOfContent([{ type: 'input_text', text: 'a' }, 'b', { type: 'input_image' }])).toBe('ab');
    expect(textOfContent(42)).toBe('');
  });
});
