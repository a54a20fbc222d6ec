import { type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';
import { closedPort } from './support/otlp-receiver';
import { runApp } from './support/run-app';

jest.setTimeout(120_000);

describe('registerTokenledger, for an app that runs its own OpenTelemetry SDK', () => {
  let llm: MockLlmServer;
  beforeAll(async () => {
    llm = await startMockLlmServer();
  });
  afterAll(() => llm.close());

  it("instruments the SDKs into the app's providers and installs the budget guard it is given", async () => {
    const guardUrl = `http://127.0.0.1:${await closedPort()}`;
    const run = await runApp([], 'own-sdk-app.cjs', { MOCK_LLM_URL: llm.url, GUARD_URL: guardUrl });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      instrumentations: ['@tokenledger/instrumentation-anthropic', '@tokenledger/instrumentation-google-genai', '@tokenledger/instrumentation-openai'],
      spans: [{ name: 'chat gpt-4o', user: 'hank' }],
    });
    // The guard was asked (its collector is down, so it failed open, once, saying so).
    expect(run.stderr.match(/budget guard: no decision/g)).toHaveLength(1);
    expect(run.stderr).toContain(guardUrl);
  });
});
