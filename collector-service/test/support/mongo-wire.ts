import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { BSON } from 'mongodb';

/** One command a client sent, as the server received it. */
export interface WireCommand {
  /** The command's name: the first key of its body (`insert`, `update`, `find`...). */
  name: string;
  body: Record<string, unknown>;
  /** Which client connection sent it (1, 2...: in the order they connected). */
  connection: number;
}

const OP_MSG = 2013;

/**
 * A loopback proxy in front of a MongoDB-wire server that keeps the body of every OP_MSG command
 * that passes through it, whichever client, thread or process sent it: what the server was asked,
 * not what one driver instance reports of itself. Other messages (the legacy handshake) pass unread.
 */
export class MongoWireRecorder {
  readonly commands: WireCommand[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private connections = 0;

  private constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => this.relay(client));
  }

  /** Starts a recorder in front of the server of `uri`; `uri` with its address is what clients get. */
  static async start(uri: string): Promise<{ recorder: MongoWireRecorder; uri: string }> {
    const target = new URL(uri);
    const recorder = new MongoWireRecorder({ host: target.hostname, port: Number(target.port || 27017) });
    await new Promise<void>((resolve) => recorder.server.listen(0, '127.0.0.1', resolve));
    const through = new URL(uri);
    through.host = `127.0.0.1:${(recorder.server.address() as AddressInfo).port}`;
    return { recorder, uri: through.toString() };
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    const connection = ++this.connections;
    const upstream = connect(this.target.port, this.target.host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined); // a side closing mid-message ends the pair, as below
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    upstream.pipe(client);
    let pending: Buffer = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= pending.readInt32LE(0)) {
        const length = pending.readInt32LE(0);
        this.read(pending.subarray(0, length), connection);
        pending = pending.subarray(length);
      }
    });
  }

  /** Keeps the body (section kind 0) of an OP_MSG: a 16-byte header, 4 bytes of flags, then its sections. */
  private read(message: Buffer, connection: number): void {
    if (message.readInt32LE(12) !== OP_MSG) return;
    const end = message.length - (message.readUInt32LE(16) & 1 ? 4 : 0); // a CRC-32C checksum last
    for (let offset = 20; offset < end;) {
      const kind = message[offset];
      const size = message.readInt32LE(offset + 1);
      if (kind === 0) {
        const body = BSON.deserialize(message.subarray(offset + 1, offset + 1 + size));
        this.commands.push({ name: Object.keys(body)[0], body, connection });
      }
      offset += 1 + size;
    }
  }
}
