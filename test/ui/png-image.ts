// A small PNG reader for checking screenshots: the size from the header, and the pixels (8-bit RGB
// or RGBA, non-interlaced: what Chromium writes) decoded to count distinct colours, so a test can
// tell a rendered page from a blank one without an image library.
import { inflateSync } from 'node:zlib';

export interface PngImage {
  width: number;
  height: number;
  /** Distinct RGB colours among the pixels. */
  colours: number;
}

const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const toLeft = Math.abs(estimate - left);
  const toUp = Math.abs(estimate - up);
  const toUpLeft = Math.abs(estimate - upLeft);
  if (toLeft <= toUp && toLeft <= toUpLeft) return left;
  return toUp <= toUpLeft ? up : upLeft;
}

/**
 * Reads a PNG's size and counts its distinct colours; throws on anything that is not a PNG.
 *
 * @example
 * const image = readPng(await page.screenshot());
 * expect(image.width).toBe(1280);
 */
export function readPng(png: Buffer): PngImage {
  if (!signature.every((byte, index) => png[index] === byte)) throw new Error('not a PNG: bad signature');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colourType, , , interlace] = [body[8], body[9], body[10], body[11], body[12]];
      if (depth !== 8 || (colourType !== 2 && colourType !== 6) || interlace !== 0) throw new Error(`unsupported PNG: depth ${depth}, colour type ${colourType}, interlace ${interlace}`);
      channels = colourType === 6 ? 4 : 3;
    } else if (type === 'IDAT') data.push(body);
    else if (type === 'IEND') break;
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const previous = new Uint8Array(stride);
  const current = new Uint8Array(stride);
  const colours = new Set<number>();
  for (let row = 0; row < height; row++) {
    const start = row * (stride + 1);
    const filter = raw[start];
    for (let index = 0; index < stride; index++) {
      const byte = raw[start + 1 + index] as number;
      const left = index >= channels ? (current[index - channels] as number) : 0;
      const up = previous[index] as number;
      const upLeft = index >= channels ? (previous[index - channels] as number) : 0;
      const predicted = filter === 1 ? left : filter === 2 ? up : filter === 3 ? (left + up) >> 1 : filter === 4 ? paeth(left, up, upLeft) : 0;
      current[index] = (byte + predicted) & 0xff;
    }
    for (let pixel = 0; pixel < stride; pixel += channels) colours.add(((current[pixel] as number) << 16) | ((current[pixel + 1] as number) << 8) | (current[pixel + 2] as number));
    previous.set(current);
  }
  return { width, height, colours: colours.size };
}
