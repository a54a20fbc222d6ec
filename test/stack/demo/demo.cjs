'use strict';
// The docker-compose demo (profile "demo"): the loopback mock LLM server and an app that calls it
// through the real openai SDK every few seconds, with the register hook loaded by NODE_OPTIONS, so a
// fresh stack has traces, costs, dashboards and alerts to show without any provider account.
const { startMockLlmServer } = require('@tokenledger/mock-llm-server');
const { withAttribution } = require('@tokenledger/node');
const OpenAI = require('openai').default;

const USERS = ['alice', 'bob', 'carol'];
const MODELS = ['gpt-4o', 'gpt-4o-mini'];
const PAUSE_MS = Number(process.env.DEMO_PAUSE_MS || 5000);

async function main() {
  const mock = await startMockLlmServer();
  const client = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'sk-demo', maxRetries: 0 });
  for (let i = 0; ; i++) {
    const user = USERS[i % USERS.length];
    await withAttribution({ userId: user, agentId: 'demo-agent', feature: i % 2 ? 'search' : 'chat' }, async () => {
      const messages = [{ role: 'user', content: `Question ${i} from ${user}` }];
      await client.chat.completions.create({ model: MODELS[i % MODELS.length], messages });
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
      for await (const _chunk of stream);
      await client.embeddings.create({ model: 'text-embedding-3-small', input: messages[0].content });
    }).catch((err) => console.error('demo call failed:', err.message));
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
