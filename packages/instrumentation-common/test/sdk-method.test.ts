import { testTelemetry } from '@tokenledger/otel-harness';
import { GenAiMetrics, type GenAiSurfaceContext, type SdkMethod, watchSdkMethod, wrapSdkMethod } from '../src';

/**
 * The wrapper's own contract where no SDK can drive it: a surface's `prepare` or a watched method's
 * reader that fails. (Every surface is tested with its real SDK in its instrumentation's tests.)
 */
function surfaceContext(telemetry: ReturnType<typeof testTelemetry>): GenAiSurfaceContext {
  const metrics = new GenAiMetrics(telemetry.meterProvider.getMeter('test'));
  return { tracer: () => telemetry.tracerProvider.getTracer('test'), metrics: () => metrics, captureContent: () => false, providerName: () => undefined };
}

const target = () => ({ provider: 'openai', serverAddress: '127.0.0.1', serverPort: 1 });

describe('the SDK-method wrapper', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it("calls the method with the surface's prepared arguments, and with the app's own when preparing fails", async () => {
    const telemetry = testTelemetry();
    const seen: unknown[] = [];
    const method = (params: { n: number }) => {
      seen.push(params);
      return Promise.resolve(params.n);
    };
    const surface = (prepare: SdkMethod<unknown, [{ n: number }]>['prepare']): SdkMethod<unknown, [{ n: number }]> => ({
      operation: 'session',
      returns: 'promise',
      target,
      model: () => 'm',
      prepare,
      onResult: (_value, call) => call.end(null),
    });
    const app = { n: 1 };
    await wrapSdkMethod(
      method,
      surfaceContext(telemetry),
      surface(([p]) => [{ n: p.n + 1 }]),
    ).call(undefined, app);
    await wrapSdkMethod(
      method,
      surfaceContext(telemetry),
      surface(() => {
        throw new Error('broken');
      }),
    ).call(undefined, app);
    expect(seen).toEqual([{ n: 2 }, app]);
    expect(app).toEqual({ n: 1 });
    expect(await telemetry.spans()).toHaveLength(2);
  });

  it('returns what a watched method returns, starts no span, and swallows a reader that fails', async () => {
    const telemetry = testTelemetry();
    const result = Promise.resolve({ id: 'batch_1' });
    const watched = watchSdkMethod(() => result, surfaceContext(telemetry), {
      returns: 'promise',
      onResult: () => {
        throw new Error('broken reader');
      },
    });
    const returned = watched.call(undefined);
    expect(returned).toBe(result);
    await expect(returned).resolves.toEqual({ id: 'batch_1' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(await telemetry.spans()).toEqual([]);
  });
});
