import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An OTLP attribute value as OTLP/JSON encodes it. */
type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean; arrayValue?: { values?: AnyValue[] } };
type KeyValue = { key: string; value: AnyValue };

function plain(value: AnyValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(plain);
  return undefined;
}

export const attributes = (list: KeyValue[] = []): Record<string, unknown> => Object.fromEntries(list.map((kv) => [kv.key, plain(kv.value)]));

/** The part of an OTLP/JSON export request this receiver reads: spans, and histogram points. */
interface ExportBody {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: { scope?: { name: string }; spans?: { name: string; traceId: string; attributes?: KeyValue[] }[] }[];
  }[];
  resourceMetrics?: {
    resource?: { attributes?: KeyValue[] };
    scopeMetrics?: {
      metrics?: { name: string; unit: string; histogram?: { dataPoints?: { attributes?: KeyValue[]; count: string | number; sum: number }[] } }[];
    }[];
  }[];
}

export interface ReceivedSpan {
  name: string;
  scope: string;
  traceId: string;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

export interface ReceivedPoint {
  metric: string;
  unit: string;
  attributes: Record<string, unknown>;
  count: number;
  sum: number;
  resource: Record<string, unknown>;
}

export interface OtlpReceiver {
  url: string;
  spans: ReceivedSpan[];
  points: ReceivedPoint[];
  headers: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/**
 * A loopback OTLP/HTTP receiver for OTEL_EXPORTER_OTLP_PROTOCOL=http/json: keeps every span and
 * histogram data point it is sent (flattened, with their resource attributes) and the request headers.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const points: ReceivedPoint[] = [];
  const headers: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      headers.push(req.headers);
      let body: ExportBody;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportBody;
      } catch {
        res.writeHead(400).end('expected OTLP/JSON');
        return;
      }
      for (const rs of body.resourceSpans ?? []) {
        const resource = attributes(rs.resource?.attributes);
        for (const ss of rs.scopeSpans ?? [])
          for (const s of ss.spans ?? [])
            spans.push({ name: s.name, scope: ss.scope?.name ?? '', traceId: s.traceId, attributes: attributes(s.attributes), resource });
      }
      for (const rm of body.resourceMetrics ?? []) {
        const resource = attributes(rm.resource?.attributes);
        for (const sm of rm.scopeMetrics ?? []) {
          for (const m of sm.metrics ?? []) {
            for (const p of m.histogram?.dataPoints ?? [])
              points.push({ metric: m.name, unit: m.unit, attributes: attributes(p.attributes), count: Number(p.count), sum: Number(p.sum), resource });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    points,
    headers,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
