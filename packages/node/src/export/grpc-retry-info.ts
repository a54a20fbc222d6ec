const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';

type Field = [number: number, value: Uint8Array | bigint];

/** The varint and length-delimited fields of one protobuf message, in order (fixed-width ones skipped). */
function fields(bytes: Uint8Array): Field[] {
  const found: Field[] = [];
  let at = 0;
  const varint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (at >= bytes.length || shift > 63n) throw new RangeError('truncated varint');
      const byte = bytes[at++];
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < bytes.length) {
    const key = varint();
    const wireType = Number(key & 7n);
    if (wireType === 0) found.push([Number(key >> 3n), varint()]);
    else if (wireType === 2) {
      const length = Number(varint());
      const end = at + length;
      if (end > bytes.length) throw new RangeError('truncated field');
      found.push([Number(key >> 3n), bytes.subarray(at, end)]);
      at = end;
    } else if (wireType === 1 || wireType === 5) at += wireType === 1 ? 8 : 4;
    else throw new RangeError(`unknown wire type ${wireType}`);
  }
  return found;
}

const bytesOf = (message: Field[], number: number) => message.find(([n, v]) => n === number && v instanceof Uint8Array)?.[1] as Uint8Array | undefined;
const numberOf = (message: Field[], number: number) => Number(message.find(([n, v]) => n === number && typeof v === 'bigint')?.[1] ?? 0n);

/**
 * The delay, in ms, that a collector asks for with a `google.rpc.RetryInfo` in the
 * `grpc-status-details-bin` trailer of a failed call (a `google.rpc.Status` whose `details` hold it),
 * as the OTLP specification has a throttling answer carry it; null when there is none or it cannot be
 * read. Read by hand: four small messages do not warrant loading a protobuf library into the app.
 */
export function retryDelayMs(statusDetails: Uint8Array | undefined): number | null {
  if (!statusDetails) return null;
  try {
    for (const [number, detail] of fields(statusDetails)) {
      if (number !== 3 || !(detail instanceof Uint8Array)) continue;
      const any = fields(detail);
      if (Buffer.from(bytesOf(any, 1) ?? []).toString('utf8') !== RETRY_INFO_TYPE) continue;
      const duration = fields(bytesOf(fields(bytesOf(any, 2) ?? new Uint8Array()), 1) ?? new Uint8Array());
      return numberOf(duration, 1) * 1000 + numberOf(duration, 2) / 1e6;
    }
  } catch {
    /* not a google.rpc.Status: no delay asked for */
  }
  return null;
}
