import { status } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { retryDelayMs } from '../src/export/grpc-retry-info';
import { type GrpcTarget, openGrpcTarget } from '../src/export/grpc-send';
import { type GrpcCollector, startGrpcCollector } from './support/grpc-collector';

/** google.rpc.Status and the details a collector attaches to it, encoded by protobufjs as a server would. */
const rpc = protobuf.Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Any: { fields: { typeUrl: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
            Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
          },
        },
        rpc: {
          nested: {
            Status: {
              fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 }, details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 } },
            },
            RetryInfo: { fields: { retryDelay: { type: 'google.protobuf.Duration', id: 1 } } },
            ErrorInfo: { fields: { reason: { type: 'string', id: 1 }, domain: { type: 'string', id: 2 } } },
          },
        },
      },
    },
  },
});
const encode = (type: string, body: Record<string, unknown>) => {
  const t = rpc.lookupType(type);
  return t.encode(t.fromObject(body)).finish();
};
const retryInfo = (seconds: number, nanos = 0) => ({
  typeUrl: 'type.googleapis.com/google.rpc.RetryInfo',
  value: encode('google.rpc.RetryInfo', { retryDelay: { seconds, nanos } }),
});
const errorInfo = {
  typeUrl: 'type.googleapis.com/google.rpc.ErrorInfo',
  value: encode('google.rpc.ErrorInfo', { reason: 'STORE_DOWN', domain: 'tokenledger' }),
};
const statusWith = (...details: unknown[]) =>
  encode('google.rpc.Status', { code: status.UNAVAILABLE, message: 'the store is unavailable; retry later', details });

describe('the delay a collector asks for in RetryInfo', () => {
  it('is read from the google.rpc.Status of a failed call, seconds and nanos', () => {
    expect(retryDelayMs(statusWith(retryInfo(2, 500_000_000)))).toBe(2500);
  });

  it('is found among other details', () => {
    expect(retryDelayMs(statusWith(errorInfo, retryInfo(5)))).toBe(5000);
  });

  it('is absent without a RetryInfo, without details, or when the trailer is not a Status', () => {
    expect(retryDelayMs(statusWith(errorInfo))).toBeNull();
    expect(retryDelayMs(undefined)).toBeNull();
    expect(retryDelayMs(Buffer.from([0x1a, 0xff, 0x01, 0x00]))).toBeNull();
  });
});

/** One signal's gRPC sending in this process, configured by the variables an app would set. */
describe('sending spans over gRPC with the OTLP retries', () => {
  let collector: GrpcCollector;
  let target: GrpcTarget | undefined;
  const saved = { ...process.env };
  afterEach(async () => {
    target?.close();
    await collector.close();
    process.env = { ...saved };
  });
  const open = (timeoutMs: number) => {
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = collector.url;
    process.env.OTEL_EXPORTER_OTLP_TIMEOUT = String(timeoutMs);
    return (target = openGrpcTarget('spans'));
  };
  const body = new Uint8Array([0x0a, 0x00]);

  it('gives up at once when the collector asks for a pause longer than the export may take', async () => {
    collector = await startGrpcCollector(status.UNAVAILABLE, { statusDetails: statusWith(retryInfo(30)) });
    const outcome = await open(10_000).send(body);
    expect(outcome).toEqual({ ok: false, failure: { kind: 'server-error', status: 'gRPC UNAVAILABLE', attempts: 1 } });
    expect(collector.calls).toHaveLength(1);
  });

  it('retries after the pause the collector asks for, not after its own backoff', async () => {
    // The backoff (1 s, then 1.5 s, ...) would fit three attempts in 3 s; a 50 ms pause fits all five.
    collector = await startGrpcCollector(status.UNAVAILABLE, { statusDetails: statusWith(retryInfo(0, 50_000_000)) });
    const failed: string[] = [];
    const outcome = await open(3_000).send(body, (failure) => failed.push(failure.kind));
    expect(outcome).toMatchObject({ ok: false, failure: { kind: 'server-error', attempts: 5 } });
    expect(collector.calls).toHaveLength(5);
    expect(failed).toEqual(Array(5).fill('server-error'));
  });

  it('does not retry RESOURCE_EXHAUSTED without a RetryInfo: a limit no retry passes, such as the size of a batch', async () => {
    collector = await startGrpcCollector(status.RESOURCE_EXHAUSTED);
    const outcome = await open(10_000).send(body);
    expect(outcome).toEqual({
      ok: false,
      failure: { kind: 'rejected', status: 'gRPC RESOURCE_EXHAUSTED', detail: 'answered RESOURCE_EXHAUSTED by the test collector' },
    });
    expect(collector.calls).toHaveLength(1);
  });

  it('delivers the bytes it is given as the Export request', async () => {
    collector = await startGrpcCollector('ok');
    expect(await open(10_000).send(body)).toEqual({ ok: true });
    expect(collector.calls).toEqual([
      expect.objectContaining({ method: '/opentelemetry.proto.collector.trace.v1.TraceService/Export', body: Buffer.from(body) }),
    ]);
  });
});
