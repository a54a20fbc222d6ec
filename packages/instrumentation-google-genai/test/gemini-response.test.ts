import { modelId, usageOfGemini } from '../src/gemini-response';
import { imagenSize } from '../src/images';

describe('reading Gemini responses', () => {
  it('keeps missing counts missing instead of reporting zero (an early stream chunk)', () => {
    expect(usageOfGemini({ promptTokenCount: 12 })).toEqual({ input: 12, output: undefined, cacheRead: undefined, reasoning: undefined });
    expect(usageOfGemini(undefined)).toBeNull();
  });

  it('counts thoughts inside output and cached content inside input, never twice', () => {
    expect(usageOfGemini({ promptTokenCount: 100, cachedContentTokenCount: 60, candidatesTokenCount: 10, thoughtsTokenCount: 30 })).toEqual({
      input: 100,
      output: 40,
      cacheRead: 60,
      reasoning: 30,
    });
    expect(usageOfGemini({ thoughtsTokenCount: 30 })?.output).toBe(30);
  });

  it('ignores counts that are not numbers', () => {
    expect(usageOfGemini({ promptTokenCount: '12' as never, candidatesTokenCount: Number.NaN })).toEqual({
      input: undefined,
      output: undefined,
      cacheRead: undefined,
      reasoning: undefined,
    });
  });

  it('keeps audio, image and video tokens apart by modality, cached video within the cache reads', () => {
    const details = (counts: Record<string, number>) => Object.entries(counts).map(([modality, tokenCount]) => ({ modality, tokenCount }));
    expect(
      usageOfGemini({
        promptTokenCount: 1000,
        cachedContentTokenCount: 300,
        candidatesTokenCount: 1300,
        promptTokensDetails: details({ TEXT: 100, AUDIO: 400, IMAGE: 200, VIDEO: 300 }),
        cacheTokensDetails: details({ AUDIO: 100, IMAGE: 50, VIDEO: 150 }),
        candidatesTokensDetails: details({ TEXT: 10, IMAGE: 1290 }),
      }),
    ).toEqual({
      input: 1000,
      output: 1300,
      cacheRead: 300,
      audioInput: 400,
      details: { audioCacheRead: 100, imageInput: 200, imageCacheRead: 50, videoInput: 150, imageOutput: 1290 },
    });
  });

  it('reads the Live API’s response token count and details as the candidates’', () => {
    expect(
      usageOfGemini({
        promptTokenCount: 82,
        responseTokenCount: 30,
        responseTokensDetails: [{ modality: 'AUDIO', tokenCount: 30 }],
        promptTokensDetails: [{ modality: 'AUDIO', tokenCount: 62 }],
      }),
    ).toEqual({
      input: 82,
      output: 30,
      audioInput: 62,
      audioOutput: 30,
    });
  });

  it('names models without their resource path', () => {
    expect(modelId('models/gemini-2.5-flash')).toBe('gemini-2.5-flash');
    expect(modelId('projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro')).toBe('gemini-2.5-pro');
    expect(modelId('tunedModels/my-model-42')).toBe('tunedModels/my-model-42');
    expect(modelId(undefined)).toBe('unknown');
  });

  it('gives Imagen sizes in pixels from aspect ratio and image size', () => {
    expect(imagenSize(undefined)).toBe('1024x1024');
    expect(imagenSize({ aspectRatio: '9:16', imageSize: '2K' })).toBe('1536x2816');
    expect(imagenSize({ aspectRatio: '21:9' })).toBeUndefined();
  });
});
