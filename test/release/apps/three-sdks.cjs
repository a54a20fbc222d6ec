// A CommonJS app installed from the registry, started with `--require @tokenledger/node/register`:
// one call through each SDK for one user. Prints what each SDK reported, for the test to compare.
'use strict';
const OpenAI = require('openai');
const Anthropic = require('@anthropic-ai/sdk');
const { GoogleGenAI } = require('@google/genai');
const { withAttribution } = require('@tokenledger/node');

const base = process.env.MOCK_LLM_URL;
const openai = new OpenAI({ apiKey: 'k', baseURL: `${base}/v1`, maxRetries: 0 });
const anthropic = new Anthropic({ apiKey: 'k', baseURL: base, maxRetries: 0 });
const gemini = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: base } });

withAttribution({ userId: process.env.APP_USER }, async () => {
  const chat = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'price this call' }] });
  const message = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'price this call too' }] });
  const content = await gemini.models.generateContent({ model: 'gemini-2.5-flash', contents: 'and this one' });
  console.log(
    JSON.stringify({
      openai: [chat.usage.prompt_tokens, chat.usage.completion_tokens],
      anthropic: [message.usage.input_tokens, message.usage.output_tokens],
      gemini: [content.usageMetadata.promptTokenCount, content.usageMetadata.candidatesTokenCount],
    }),
  );
});
