import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { UsageService } from '../usage/usage.service';
import { OtlpDecodeError } from './otlp-decode';
import { type OtlpFormat, type PricedSpans, priceSpans, type Sender } from './span-pricing';
import type { PreparedStore, PricingAnswer, PricingRequest, PricingThreadData } from './span-pricing.worker';

interface Waiter {
  resolve: (priced: PricedSpans) => void;
  reject: (err: Error) => void;
}

/** One worker thread and the requests it was given, answered in order. */
interface PricingThread {
  worker: Worker;
  waiting: Map<number, Waiter>;
}

/**
 * Decodes and prices OTLP trace requests on worker threads, so the event loop that answers reports
 * and budget checks only reads bodies, hands records to the store and answers: under a flat-out
 * ingest that CPU work (protobuf decoding, normalising, pricing) was most of what held the loop.
 *
 * A request goes to the thread with the fewest waiting; the queue is bounded by the bytes in flight
 * (InflightBytes refuses a body beyond them with 503 and Retry-After before it gets here). With no
 * threads (`TOKENLEDGER_INGEST_WORKERS=0`) requests are priced inline. A thread that dies fails its
 * waiting requests (503 for the sender to retry: nothing of them was stored) and is started again.
 */
@Injectable()
export class SpanPricingPool implements OnModuleDestroy {
  private readonly threads: (PricingThread | null)[];
  private nextId = 0;

  /**
   * @param prepareFor the threads also encode the records and sum their rollups for this store (see
   *   PreparedIngest), which the event loop would do otherwise
   */
  constructor(
    private readonly usage: UsageService,
    private readonly pricesFile: string | null,
    size: number,
    private readonly prepareFor: PreparedStore = null,
  ) {
    this.threads = Array.from({ length: size }, () => null);
  }

  /** The request decoded and priced; rejects with OtlpDecodeError when the body cannot be read. */
  price(body: Uint8Array, format: OtlpFormat, sender: Sender): Promise<PricedSpans> {
    if (this.threads.length === 0) return Promise.resolve().then(() => priceSpans(this.usage, body, format, sender));
    const thread = this.leastBusy();
    const id = ++this.nextId;
    return new Promise<PricedSpans>((resolve, reject) => {
      thread.waiting.set(id, { resolve, reject });
      const request: PricingRequest = { id, body, format, sender: { tenant: sender.tenant, openMode: sender.openMode } };
      thread.worker.postMessage(request);
    });
  }

  async onModuleDestroy(): Promise<void> {
    const running = this.threads.filter((t): t is PricingThread => t !== null);
    this.threads.fill(null);
    await Promise.all(running.map((t) => t.worker.terminate()));
  }

  private leastBusy(): PricingThread {
    let best = -1;
    for (let i = 0; i < this.threads.length; i++) {
      const t = this.threads[i];
      if (t === null) {
        best = i;
        break;
      }
      if (best === -1 || t.waiting.size < this.threads[best]!.waiting.size) best = i;
    }
    return (this.threads[best] ??= this.start(best));
  }

  /** Threads start on first use: a service that never ingests never loads the price book twice. */
  private start(slot: number): PricingThread {
    const data: PricingThreadData = { pricesFile: this.pricesFile, prepareFor: this.prepareFor };
    const worker = new Worker(workerFile(), { workerData: data });
    worker.unref();
    const thread: PricingThread = { worker, waiting: new Map() };
    worker.on('message', (answer: PricingAnswer) => {
      const waiter = thread.waiting.get(answer.id);
      thread.waiting.delete(answer.id);
      if (!waiter) return;
      if ('priced' in answer) waiter.resolve(answer.priced);
      else if ('undecodable' in answer) waiter.reject(new OtlpDecodeError(answer.undecodable));
      else waiter.reject(new Error(`pricing a request failed: ${answer.failed}`));
    });
    const stopped = (err: Error) => {
      if (this.threads[slot] === thread) this.threads[slot] = null;
      for (const waiter of thread.waiting.values()) waiter.reject(new PricingThreadError(err.message));
      thread.waiting.clear();
    };
    worker.on('error', stopped);
    worker.on('exit', (code) => stopped(new Error(`an ingest worker thread stopped (exit code ${code})`)));
    return thread;
  }
}

/** The thread pricing a request stopped before answering: nothing of the request was stored, the sender retries. */
export class PricingThreadError extends Error {}

/**
 * The compiled worker. Tests run the service from its TypeScript sources, where a worker cannot load
 * the project's imports; they use the build that `./run test` makes before it runs them.
 */
function workerFile(): string {
  return extname(__filename) === '.ts' ? join(__dirname, '../../dist/ingest/span-pricing.worker.js') : join(__dirname, 'span-pricing.worker.js');
}
