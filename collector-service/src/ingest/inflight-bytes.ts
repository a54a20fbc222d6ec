/**
 * A budget of request bytes held in memory at once, shared by every receiver (OTLP/HTTP, OTLP/gRPC).
 * A large body costs several times its size while it is read, inflated, decoded and priced; without a
 * bound, a few senders at the size limit together grow the process by gigabytes it never gives back.
 * A request that does not fit is refused at once with "retry later" (HTTP 503 with Retry-After, gRPC
 * UNAVAILABLE), which OTLP senders do; the bytes it had taken are given back.
 */
/** Bodies in flight are answered within about a second; a sender told "busy" comes back soon after. */
export const BUSY_RETRY_AFTER_SECONDS = 1;

export class InflightBytes {
  private held = 0;

  constructor(readonly limitBytes: number) {}

  /** Bytes held now, by every open lease. */
  get heldBytes(): number {
    return this.held;
  }

  /** A lease of `bytes`, or null when that would pass the budget. */
  acquire(bytes = 0): InflightLease | null {
    const lease = new InflightLease(this);
    return lease.grow(bytes) ? lease : null;
  }

  /** @internal a lease takes or gives back bytes. */
  take(bytes: number): boolean {
    if (bytes > 0 && this.held + bytes > this.limitBytes) return false;
    this.held += bytes;
    return true;
  }
}

/** Bytes one request holds; grows as its body arrives, and is released once it is answered. */
export class InflightLease {
  private bytes = 0;
  private released = false;

  constructor(private readonly budget: InflightBytes) {}

  /** Takes `bytes` more; false (nothing taken) when the budget cannot hold them. */
  grow(bytes: number): boolean {
    if (this.released || !this.budget.take(bytes)) return false;
    this.bytes += bytes;
    return true;
  }

  /** Gives every byte back; later calls do nothing. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.budget.take(-this.bytes);
    this.bytes = 0;
  }
}
