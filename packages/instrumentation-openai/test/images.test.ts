import { toFile } from 'openai';
import { finishedSpans, type Harness, harness } from './setup';

const png = () => toFile(Buffer.from('fake png'), 'in.png', { type: 'image/png' });

describe('images', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('generate: DALL·E 3 images are counted with their size and quality, for per-image prices', async () => {
    const res = await h.client.images.generate({ model: 'dall-e-3', prompt: 'a lighthouse', size: '1024x1792', quality: 'hd' });
    expect(res.data?.[0].url).toMatch(/^https:/);
    const [span] = await finishedSpans(h);
    expect(span.name).toBe('image_generation dall-e-3');
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'image_generation',
      'gen_ai.output.type': 'image',
      'tokenledger.image.count': 1,
      'tokenledger.image.size': '1024x1792',
      'tokenledger.image.quality': 'hd',
    });
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });

  it("generate: a request without model, size or quality records the API's defaults (dall-e-2, 1024x1024, standard)", async () => {
    await h.client.images.generate({ prompt: 'a lighthouse', n: 2 });
    const [span] = await finishedSpans(h);
    expect(span.name).toBe('image_generation dall-e-2');
    expect(span.attributes).toMatchObject({
      'tokenledger.image.count': 2,
      'tokenledger.image.size': '1024x1024',
      'tokenledger.image.quality': 'standard',
      'gen_ai.request.choice.count': 2,
    });
  });

  it('generate: gpt-image-1 records its token usage and the size and quality it reports', async () => {
    // mock: input = 10 + 40 / 4 = 20 text tokens; output = 2 images × 1056 (auto quality → medium)
    await h.client.images.generate({ model: 'gpt-image-1', prompt: 'x'.repeat(40), n: 2, quality: 'auto' });
    const [span] = await finishedSpans(h);
    expect(span.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 20,
      'gen_ai.usage.output_tokens': 2112,
      'tokenledger.image.count': 2,
      'tokenledger.image.size': '1024x1024',
      'tokenledger.image.quality': 'medium',
    });
  });

  it('edit: a multipart upload of two images, token usage counts them', async () => {
    const res = await h.client.images.edit({ model: 'gpt-image-1', prompt: 'add a hat', image: [await png(), await png()], quality: 'high' });
    expect(res.data?.[0].b64_json).toBeTruthy();
    const [span] = await finishedSpans(h);
    expect(span.name).toBe('image_generation gpt-image-1');
    // mock: 10 + 9 / 4 = 12 text tokens + 2 × 65 image tokens; 4160 output tokens at high quality
    expect(span.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 142,
      'gen_ai.usage.output_tokens': 4160,
      'tokenledger.image.quality': 'high',
      'tokenledger.image.count': 1,
    });
  });

  it('createVariation: DALL·E 2 variations are counted at the requested size', async () => {
    await h.client.images.createVariation({ image: await png(), n: 3, size: '256x256' });
    const [span] = await finishedSpans(h);
    expect(span.name).toBe('image_generation dall-e-2');
    expect(span.attributes).toMatchObject({ 'tokenledger.image.count': 3, 'tokenledger.image.size': '256x256' });
  });

  it('an API error ends the image span with error.type', async () => {
    await expect(h.client.images.generate({ model: 'dall-e-3', prompt: 'x' }, { headers: { 'x-mock-scenario': 'status=400' } })).rejects.toMatchObject({
      status: 400,
    });
    const [span] = await finishedSpans(h);
    expect(span.attributes['error.type']).toBe('400');
    expect(span.attributes['tokenledger.image.count']).toBeUndefined();
  });
});
