import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { GrpcReply, GrpcRequest } from './grpc-thread';
import type { SendFailure, SendOutcome } from './retries';
import { type OtlpTransport, SIGNALS, type Signal } from './transport';

interface Pending {
  onFailedAttempt: (failure: SendFailure) => void;
  settle: (outcome: SendOutcome) => void;
}

/**
 * The thread that holds the gRPC channels (grpc-thread.ts), shared by both signals, started at the
 * first gRPC export and unreferenced: grpc-js, its connections and its calls live there, so they cost
 * the app's thread nothing while loading or waiting, and never keep the process alive. The app's
 * thread serializes each batch and hands the bytes over.
 */
class GrpcThread {
  private readonly worker: Worker;
  private readonly opening = new Map<Signal, { resolve: (opened: { address: string; concurrencyLimit: number }) => void; reject: (err: Error) => void }>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stopped: string | null = null;
  users = 0;

  constructor() {
    // Not the app's own start-up options: with them (--require / --import of this hook) the thread would start tokenledger too.
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    this.worker = new Worker(join(__dirname, 'grpc-thread.js'), { execArgv: [], env, name: '@tokenledger/node OTLP/gRPC' });
    this.worker.on('message', (reply: GrpcReply) => this.receive(reply));
    this.worker.on('error', (err: Error) => this.stop(`the OTLP/gRPC sender failed: ${err.message}`));
    this.worker.on('exit', () => this.stop('the OTLP/gRPC sender stopped'));
    // After the listeners: adding a 'message' listener references the thread again.
    this.worker.unref();
  }

  open(signal: Signal): Promise<{ address: string; concurrencyLimit: number }> {
    if (this.stopped) return Promise.reject(new Error(this.stopped));
    return new Promise((resolve, reject) => {
      this.opening.set(signal, { resolve, reject });
      this.post({ type: 'open', signal });
    });
  }

  send(signal: Signal, body: Uint8Array, onFailedAttempt: (failure: SendFailure) => void): Promise<SendOutcome> {
    if (this.stopped) return Promise.resolve({ ok: false, failure: { kind: 'error', detail: this.stopped } });
    const id = this.nextId++;
    // A copy of just these bytes, moved to the thread (a view's whole buffer would be copied otherwise).
    const own = body.slice();
    return new Promise((settle) => {
      this.pending.set(id, { onFailedAttempt, settle });
      this.post({ type: 'send', id, signal, body: own }, [own.buffer]);
    });
  }

  terminate(): void {
    void this.worker.terminate();
  }

  private post(request: GrpcRequest, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(request, transfer);
  }

  private receive(reply: GrpcReply): void {
    switch (reply.type) {
      case 'opened':
        this.opening.get(reply.signal)?.resolve(reply);
        this.opening.delete(reply.signal);
        return;
      case 'open-failed':
        this.opening.get(reply.signal)?.reject(new Error(reply.detail));
        this.opening.delete(reply.signal);
        return;
      case 'attempt-failed':
        this.pending.get(reply.id)?.onFailedAttempt(reply.failure);
        return;
      case 'sent':
        this.pending.get(reply.id)?.settle(reply.outcome);
        this.pending.delete(reply.id);
    }
  }

  /** Ends what is waiting on a thread that is gone, and everything sent to it later, with `detail`. */
  private stop(detail: string): void {
    this.stopped ??= detail;
    for (const { reject } of this.opening.values()) reject(new Error(detail));
    for (const { settle } of this.pending.values()) settle({ ok: false, failure: { kind: 'error', detail } });
    this.opening.clear();
    this.pending.clear();
    if (thread === this) thread = undefined;
  }
}

let thread: GrpcThread | undefined;

/**
 * OTLP/gRPC for one signal: batches serialized here as protobuf (the same serializer as
 * http/protobuf), sent by the gRPC thread with the settings it reads from OTEL_EXPORTER_OTLP_*.
 */
export async function openGrpcTransport(signal: Signal): Promise<OtlpTransport> {
  const sender = (thread ??= new GrpcThread());
  sender.users++;
  let opened: { address: string; concurrencyLimit: number };
  try {
    opened = await sender.open(signal);
  } catch (err) {
    release(sender);
    throw err;
  }
  let serializer: { serializeRequest(items: unknown): Uint8Array | undefined } | undefined;
  return {
    endpoint: `${opened.address} (OTLP/gRPC)`,
    concurrencyLimit: opened.concurrencyLimit,
    serialize: (items) => {
      // Loaded at the first export, not when the transport opens (which may be ahead of it).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      serializer ??= (require('@opentelemetry/otlp-transformer') as typeof import('@opentelemetry/otlp-transformer'))[SIGNALS[signal].protobuf];
      return serializer.serializeRequest(items);
    },
    send: (body, onFailedAttempt) => sender.send(signal, body, onFailedAttempt),
    close: () => release(sender),
  };
}

function release(sender: GrpcThread): void {
  if (--sender.users > 0) return;
  if (thread === sender) thread = undefined;
  sender.terminate();
}
