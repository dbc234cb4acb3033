// A small PNG reader for tests, written from the PNG specification (RFC 2083), independent of the
// rasterizer: checks the signature and chunk CRCs, reads IHDR, inflates IDAT and undoes the row filters,
// so a test can ask for the size and look at the pixels.
import { inflateSync } from 'node:zlib';

/** CRC-32 (IEEE, reflected, polynomial 0xEDB88320), as PNG chunks carry it. */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

export interface DecodedPng {
  width: number;
  height: number;
  /** RGBA, 8 bits per channel, row-major. */
  rgba: Uint8Array;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

export function decodePng(bytes: Uint8Array): DecodedPng {
  for (let i = 0; i < 8; i++) if (bytes[i] !== SIGNATURE[i]) throw new Error('not a PNG: bad signature');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 8;
  let width = 0, height = 0, bitDepth = 0, colorType = -1, interlace = 0;
  const idat: Uint8Array[] = [];
  let sawEnd = false;
  while (off < bytes.length) {
    const len = view.getUint32(off);
    const type = String.fromCharCode(...bytes.subarray(off + 4, off + 8));
    const data = bytes.subarray(off + 8, off + 8 + len);
    const crc = view.getUint32(off + 8 + len);
    if ((crc32(bytes.subarray(off + 4, off + 8 + len)) >>> 0) !== crc) throw new Error(`PNG chunk ${type}: bad CRC`);
    if (type === 'IHDR') {
      const d = new DataView(data.buffer, data.byteOffset, data.byteLength);
      width = d.getUint32(0);
      height = d.getUint32(4);
      bitDepth = data[8];
      colorType = data[9];
      interlace = data[12];
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') { sawEnd = true; break; }
    off += 12 + len;
  }
  if (!sawEnd) throw new Error('PNG: no IEND chunk');
  if (bitDepth !== 8 || interlace !== 0) throw new Error(`PNG: only 8-bit non-interlaced images are read here (depth ${bitDepth}, interlace ${interlace})`);
  const channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (!channels) throw new Error(`PNG: colour type ${colorType} not read here`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) throw new Error(`PNG: ${raw.length} bytes of image data for ${width}×${height}`);
  const px = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = px.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? px.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? row[i - channels] : 0;
      const b = prev[i];
      const c = i >= channels ? prev[i - channels] : 0;
      let v: number;
      if (filter === 0) v = 0;
      else if (filter === 1) v = a;
      else if (filter === 2) v = b;
      else if (filter === 3) v = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else throw new Error(`PNG: row ${y} has filter ${filter}`);
      row[i] = (src[i] + v) & 255;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let k = 0; k < width * height; k++) {
    const s = px.subarray(k * channels, (k + 1) * channels);
    const [r, g, b, a] = channels === 4 ? s : channels === 3 ? [s[0], s[1], s[2], 255] : channels === 2 ? [s[0], s[0], s[0], s[1]] : [s[0], s[0], s[0], 255];
    rgba.set([r, g, b, a], 4 * k);
  }
  return { width, height, rgba };
}

/** Fraction of pixels that are not (near) white: ink on the page. */
export function inkFraction(png: DecodedPng): number {
  let ink = 0;
  for (let k = 0; k < png.width * png.height; k++) {
    const r = png.rgba[4 * k], g = png.rgba[4 * k + 1], b = png.rgba[4 * k + 2], a = png.rgba[4 * k + 3];
    if (a > 0 && (r < 235 || g < 235 || b < 235)) ink++;
  }
  return ink / (png.width * png.height);
}

/** The pixel at (x, y) as [r, g, b, a]. */
export function pixel(png: DecodedPng, x: number, y: number): number[] {
  const k = 4 * (y * png.width + x);
  return Array.from(png.rgba.subarray(k, k + 4));
}
