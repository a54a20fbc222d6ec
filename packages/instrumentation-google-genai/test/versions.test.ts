import { GoogleGenAIInstrumentation } from '../src';
import { GENAI_RANGE, inRange, LEGACY_RANGE } from '../src/versions';

describe('supported SDK versions', () => {
  it('covers the current @google/genai major and the one before, and the legacy 0.x line', () => {
    expect(['2.0.0', '2.32.0', '3.3.0', '3.10.1'].every((v) => inRange(v, GENAI_RANGE))).toBe(true);
    expect(['1.30.0', '4.0.0', '4.0.0-rc.1'].some((v) => inRange(v, GENAI_RANGE))).toBe(false);
    expect(inRange('0.24.1', LEGACY_RANGE)).toBe(true);
    expect(inRange('0.20.9', LEGACY_RANGE)).toBe(false);
  });

  it('warns once, clearly, and leaves an out-of-range SDK unpatched', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    const instrumentation = new GoogleGenAIInstrumentation({ enabled: false });
    const original = () => Promise.resolve('sdk');
    const exports = { Models: { prototype: { generateContentInternal: original } as Record<string, unknown> } };
    instrumentation.patchGenAI(exports, '1.30.0');
    instrumentation.patchGenAI(exports, '1.30.0');
    expect(exports.Models.prototype.generateContentInternal).toBe(original);
    const messages = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('@google/genai 1.30.0'));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('NOT instrumented');
    warn.mockRestore();
  });

  it('unpatching restores the SDK methods', () => {
    const instrumentation = new GoogleGenAIInstrumentation({ enabled: false });
    const methods = ['generateContent', 'generateContentStream', 'embedContent', 'batchEmbedContents'];
    const prototype: Record<string, unknown> = Object.fromEntries(methods.map((m) => [m, () => Promise.resolve(m)]));
    const originals = { ...prototype };
    instrumentation.patchLegacy({ GenerativeModel: { prototype } }, '0.24.1');
    expect(methods.every((m) => prototype[m] !== originals[m])).toBe(true);
    instrumentation.unpatchLegacy({ GenerativeModel: { prototype } });
    expect(methods.every((m) => prototype[m] === originals[m])).toBe(true);
  });
});
