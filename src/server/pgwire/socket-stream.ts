// A Node socket as the web DuplexStream pg-gateway reads, with a frame guard in front: every message
// length is checked as bytes arrive, so a zero, negative or huge length (which would make
// pg-gateway's buffer loop forever or grow without bound) ends this connection with FATAL 08P01.
// Chunks are copied (byteOffset 0): pg-gateway reads some fields from the underlying ArrayBuffer.
import type { Socket } from 'node:net';
import type { DuplexStream } from 'pg-gateway';
import { errorResponse } from './protocol.ts';

/** Largest startup-phase packet accepted (PostgreSQL's own limit is 10,000 bytes). */
const MAX_STARTUP = 10_000;
/** Largest regular message accepted. */
export const MAX_MESSAGE = 64 * 1024 * 1024;

const PROTOCOL_3_0 = 196608;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

/**
 * Tracks message boundaries in the incoming byte stream. `feed` returns an error text when framing
 * breaks, else the offsets in the chunk where a start-up packet ends (pg-gateway frames a whole
 * chunk the same way, so a chunk holding the StartupMessage and the first query must be split).
 */
export class FrameGuard {
  private started = false;
  private header: number[] = [];
  private skip = 0;
  /** The packet being skipped is the StartupMessage (its last byte must be NUL). */
  private inStartup = false;

  feed(chunk: Uint8Array): { error: string } | { splits: number[] } {
    const splits: number[] = [];
    let i = 0;
    while (i < chunk.byteLength) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.byteLength - i);
        this.skip -= n;
        i += n;
        if (this.skip === 0 && this.inStartup) {
          this.inStartup = false;
          if (chunk[i - 1] !== 0) return { error: 'invalid startup packet layout: expected terminator as last byte' };
          splits.push(i);
        }
        continue;
      }
      const headerSize = this.started ? 5 : 8;
      this.header.push(chunk[i]!);
      i++;
      if (this.header.length < headerSize) continue;
      const h = Uint8Array.from(this.header);
      this.header = [];
      const view = new DataView(h.buffer);
      if (this.started) {
        const len = view.getInt32(1);
        if (len < 4 || len > MAX_MESSAGE) return { error: `invalid message length ${len}` };
        this.skip = len - 4;
      } else {
        const len = view.getInt32(0);
        const code = view.getInt32(4);
        if (len < 8 || len > MAX_STARTUP) return { error: `invalid startup packet length ${len}` };
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          if (len !== 8) return { error: 'invalid SSL negotiation packet' };
          splits.push(i);
        } else if (code === CANCEL_REQUEST) {
          if (len !== 16) return { error: 'invalid cancel request' };
        } else if (code === PROTOCOL_3_0) {
          this.started = true;
          if (len === 8) return { error: 'invalid startup packet layout: expected terminator as last byte' };
          this.inStartup = true;
        } else return { error: `unsupported frontend protocol ${code >>> 16}.${code & 0xffff}: server supports 3.0` };
        this.skip = len - 8;
      }
    }
    return { splits };
  }
}

/** Wraps a socket; a framing error writes FATAL 08P01 and destroys the socket. */
export function socketDuplex(socket: Socket): DuplexStream<Uint8Array> {
  const guard = new FrameGuard();
  let closed = false;
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      const end = (): void => {
        if (closed) return;
        closed = true;
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      socket.on('data', (data: Buffer) => {
        if (closed) return;
        const framing = guard.feed(data);
        if ('error' in framing) {
          socket.end(errorResponse({ severity: 'FATAL', code: '08P01', message: framing.error }));
          end();
          return;
        }
        let from = 0;
        for (const at of [...framing.splits, data.byteLength]) {
          if (at > from) controller.enqueue(new Uint8Array(data.subarray(from, at)));
          from = at;
        }
      });
      socket.on('end', end);
      socket.on('close', end);
      socket.on('error', end);
    },
    cancel() {
      socket.destroy();
    },
  });
  const writable = new WritableStream<Uint8Array>({
    write(chunk) {
      if (socket.destroyed || !socket.writable) return;
      return new Promise<void>((resolve) => {
        socket.write(chunk, () => resolve());
      });
    },
    close() {
      socket.end();
    },
    abort() {
      socket.destroy();
    },
  });
  return { readable, writable };
}
