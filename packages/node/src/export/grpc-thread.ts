// The OTLP/gRPC sender's thread (a worker started by grpc-transport.ts at the first gRPC export).
// grpc-js holds the process open while a call is in flight, by design; on a thread of its own, which
// the app's thread does not wait for, a call to a collector that hangs cannot keep the app alive.
import { parentPort } from 'node:worker_threads';
import { type GrpcTarget, openGrpcTarget } from './grpc-send';
import type { SendFailure, SendOutcome } from './retries';
import type { Signal } from './transport';

export type GrpcRequest = { type: 'open'; signal: Signal } | { type: 'send'; id: number; signal: Signal; body: Uint8Array };

export type GrpcReply =
  | { type: 'opened'; signal: Signal; address: string; concurrencyLimit: number }
  | { type: 'open-failed'; signal: Signal; detail: string }
  | { type: 'attempt-failed'; id: number; failure: SendFailure }
  | { type: 'sent'; id: number; outcome: SendOutcome };

const port = parentPort!;
const targets = new Map<Signal, GrpcTarget>();
const reply = (message: GrpcReply) => port.postMessage(message);

port.on('message', (request: GrpcRequest) => {
  switch (request.type) {
    case 'open':
      try {
        const target = targets.get(request.signal) ?? openGrpcTarget(request.signal);
        targets.set(request.signal, target);
        reply({ type: 'opened', signal: request.signal, address: target.address, concurrencyLimit: target.concurrencyLimit });
      } catch (err) {
        reply({ type: 'open-failed', signal: request.signal, detail: (err as Error).message });
      }
      return;
    case 'send': {
      const target = targets.get(request.signal);
      if (!target)
        return reply({
          type: 'sent',
          id: request.id,
          outcome: { ok: false, failure: { kind: 'error', detail: `no OTLP/gRPC channel for ${request.signal}` } },
        });
      void target
        .send(request.body, (failure) => reply({ type: 'attempt-failed', id: request.id, failure }))
        .then((outcome) => reply({ type: 'sent', id: request.id, outcome }));
    }
  }
});
