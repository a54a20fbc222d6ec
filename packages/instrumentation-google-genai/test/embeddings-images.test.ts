import { finishedSpans, type Harness, harness, headers } from './setup';

describe('@google/genai models.embedContent and models.generateImages', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('records an embeddings span with the input tokens Gemini reports', async () => {
    const res = await h.ai.models.embedContent({ model: 'gemini-embedding-001', contents: ['abcdefgh', 'abcd'] });
    expect(res.embeddings).toHaveLength(2);
    const [span] = await finishedSpans(h);
    expect(span.name).toBe('embeddings gemini-embedding-001');
    expect(span.attributes).toMatchObject({ 'gen_ai.operation.name': 'embeddings', 'gen_ai.provider.name': 'gcp.gemini', 'gen_ai.usage.input_tokens': 3 });
    expect(span.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
  });

  it('sums the per-embedding token statistics of Vertex AI predict', async () => {
    await h.vertex.models.embedContent({ model: 'text-embedding-005', contents: ['abcdefghabcdefgh', 'abcd'] });
    const [span] = await finishedSpans(h);
    expect(span.attributes).toMatchObject({ 'gen_ai.provider.name': 'gcp.vertex_ai', 'gen_ai.usage.input_tokens': 5 }); // 16/4 + 4/4
  });

  it('records an embeddings error with error.type', async () => {
    await expect(
      h.ai.models.embedContent({ model: 'gemini-embedding-001', contents: 'x', config: headers({ 'x-mock-scenario': 'status=500' }) }),
    ).rejects.toMatchObject({ status: 500 });
    const [span] = await finishedSpans(h);
    expect(span.attributes['error.type']).toBe('500');
  });

  it('records the number and pixel size of Imagen images', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {}); // the SDK's own deprecation notice
    const res = await h.vertex.models.generateImages({
      model: 'imagen-4.0-generate-001',
      prompt: 'a red skateboard',
      config: { numberOfImages: 3, aspectRatio: '16:9' },
    });
    warn.mockRestore();
    expect(res.generatedImages).toHaveLength(3);
    const [span] = await finishedSpans(h);
    expect(span.name).toBe('image_generation imagen-4.0-generate-001');
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'image_generation',
      'gen_ai.provider.name': 'gcp.vertex_ai',
      'gen_ai.output.type': 'image',
      'gen_ai.request.choice.count': 3,
      'tokenledger.image.count': 3,
      'tokenledger.image.size': '1408x768',
    });
    expect(JSON.stringify(span.attributes)).not.toContain('skateboard');
  });

  it('records an image generation error with error.type', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    const error = await h.vertex.models
      .generateImages({ model: 'imagen-4.0-generate-001', prompt: 'p', config: headers({ 'x-mock-scenario': 'status=429' }) })
      .catch((e: unknown) => e);
    warn.mockRestore();
    expect((error as { status?: number }).status).toBe(429);
    const [span] = await finishedSpans(h);
    expect(span.attributes['error.type']).toBe('429');
    expect(span.attributes['tokenledger.image.count']).toBeUndefined();
  });
});
