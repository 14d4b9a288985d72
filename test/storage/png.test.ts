// encodePng writes a well-formed PNG (signature, valid chunk CRCs, IDAT of the right size)
// and readPngSize reads the size back and rejects what is not a PNG.
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PNG_SIGNATURE, crc32, encodePng, readPngSize, tableCrc32 } from '../../src/storage/png.ts';

interface Chunk {
  readonly type: string;
  readonly data: Buffer;
  readonly crc: number;
  readonly crcInput: Buffer;
}

function chunks(png: Buffer): Chunk[] {
  const out: Chunk[] = [];
  for (let at = 8; at < png.length; ) {
    const len = png.readUInt32BE(at);
    out.push({
      type: png.toString('ascii', at + 4, at + 8),
      data: png.subarray(at + 8, at + 8 + len),
      crc: png.readUInt32BE(at + 8 + len),
      crcInput: png.subarray(at + 4, at + 8 + len),
    });
    at += 12 + len;
  }
  return out;
}

function gradient(width: number, height: number): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    rgb[i * 3] = i % 256;
    rgb[i * 3 + 1] = (i * 7) % 256;
    rgb[i * 3 + 2] = (i * 13) % 256;
  }
  return rgb;
}

describe('encodePng', () => {
  const width = 37;
  const height = 11;
  const rgb = gradient(width, height);
  const png = encodePng(width, height, rgb);

  it('starts with the PNG signature', () => {
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  });

  it('writes IHDR, IDAT, IEND with valid CRCs', () => {
    const list = chunks(png);
    expect(list.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    for (const c of list) expect(c.crc).toBe(crc32(c.crcInput));
    const ihdr = list[0]?.data;
    expect(ihdr?.length).toBe(13);
    expect([...(ihdr?.subarray(8) ?? [])]).toEqual([8, 2, 0, 0, 0]);
  });

  it('round-trips the size through readPngSize', () => {
    expect(readPngSize(png)).toEqual({ width, height });
  });

  it('stores one filter byte plus 3 bytes per pixel per row, pixels intact', () => {
    const idat = chunks(png).find((c) => c.type === 'IDAT')?.data ?? Buffer.alloc(0);
    const raw = inflateSync(idat);
    expect(raw.length).toBe(height * (1 + 3 * width));
    for (let y = 0; y < height; y++) {
      expect(raw[y * (1 + 3 * width)]).toBe(0);
      const row = raw.subarray(y * (1 + 3 * width) + 1, (y + 1) * (1 + 3 * width));
      expect(row.equals(Buffer.from(rgb.subarray(y * width * 3, (y + 1) * width * 3)))).toBe(true);
    }
  });

  it('is deterministic', () => {
    expect(encodePng(width, height, rgb).equals(png)).toBe(true);
  });

  it('rejects a pixel buffer of the wrong length', () => {
    expect(() => encodePng(2, 2, new Uint8Array(11))).toThrow(RangeError);
    expect(() => encodePng(0, 2, new Uint8Array(0))).toThrow(RangeError);
  });
});

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(Buffer.from('123456789', 'ascii'))).toBe(0xcbf43926);
    expect(tableCrc32(Buffer.from('123456789', 'ascii'))).toBe(0xcbf43926);
  });

  it('has a table fallback that agrees with the active implementation', () => {
    const data = gradient(50, 7);
    expect(tableCrc32(data)).toBe(crc32(data));
    expect(tableCrc32(new Uint8Array(0))).toBe(0);
  });
});

describe('readPngSize', () => {
  const png = encodePng(4, 3, new Uint8Array(36));

  it('rejects a buffer without the signature', () => {
    expect(() => readPngSize(Buffer.from('not a png at all, just some text bytes'))).toThrow(/signature/);
  });

  it('rejects a corrupted IHDR', () => {
    const bad = Buffer.from(png);
    bad[17] = (bad[17] ?? 0) ^ 0xff;
    expect(() => readPngSize(bad)).toThrow(/CRC/);
  });

  it('rejects a truncated file', () => {
    expect(() => readPngSize(png.subarray(0, 20))).toThrow(RangeError);
  });
});
