// Tiny dependency-free image helpers for files.test.mjs: encoders that write
// valid PNG / GIF / baseline JPEG files of a given size, a header reader that
// tells the type and dimensions of PNG / GIF / JPEG bytes, and a PNG decoder
// (8-bit, non-interlaced) to sample pixels of generated thumbs.
import zlib from "node:zlib";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function pngIhdr(width, height, colorType = 2) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = colorType; // 2 = truecolor RGB
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // filter method
  ihdr[12] = 0; // no interlace
  return pngChunk("IHDR", ihdr);
}

/** An 8-bit RGB PNG; `rgbAt(x, y)` returns [r, g, b]. */
export function makePng(width, height, rgbAt) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  let o = 0;
  for (let y = 0; y < height; y++) {
    raw[o++] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const [r, g, b] = rgbAt(x, y);
      raw[o++] = r;
      raw[o++] = g;
      raw[o++] = b;
    }
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    pngIhdr(width, height),
    pngChunk("IDAT", zlib.deflateSync(raw)),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/** PNG signature + a valid IHDR, then garbage: sniffed as image/png but undecodable. */
export function makeBrokenPng() {
  return Buffer.concat([PNG_SIGNATURE, pngIhdr(64, 64), Buffer.from("this is not image data at all ".repeat(4))]);
}

/**
 * A GIF89a with a 4-colour palette (`palette`: four [r, g, b]); `indexAt(x, y)`
 * returns 0..3. LZW is written "uncompressed": 8-bit codes (min code size 7)
 * with a clear code every 126 literals so the code width never grows.
 */
export function makeGif(width, height, palette, indexAt) {
  const out = [];
  out.push(...Buffer.from("GIF89a", "ascii"));
  out.push(width & 255, width >> 8, height & 255, height >> 8);
  out.push(0x81, 0, 0); // global colour table of 2^(1+1) entries
  for (const [r, g, b] of palette) out.push(r, g, b);
  out.push(0x2c, 0, 0, 0, 0, width & 255, width >> 8, height & 255, height >> 8, 0);
  const MIN_CODE_SIZE = 7;
  const CLEAR = 1 << MIN_CODE_SIZE;
  const EOI = CLEAR + 1;
  const codes = [];
  let sinceClear = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (sinceClear === 0) codes.push(CLEAR);
      codes.push(indexAt(x, y));
      sinceClear = (sinceClear + 1) % 126;
    }
  }
  codes.push(EOI);
  out.push(MIN_CODE_SIZE);
  for (let i = 0; i < codes.length; i += 255) {
    const block = codes.slice(i, i + 255);
    out.push(block.length, ...block);
  }
  out.push(0, 0x3b);
  return Buffer.from(out);
}

/**
 * A baseline grayscale JPEG whose 8x8 blocks are flat: `grayAt(x, y)` is
 * sampled at each block's centre. Only DC coefficients are coded (quant table
 * of ones, the standard luminance DC Huffman table, an AC table holding EOB).
 */
export function makeJpeg(width, height, grayAt) {
  const out = [0xff, 0xd8];
  const segment = (marker, payload) => {
    const len = payload.length + 2;
    out.push(0xff, marker, len >> 8, len & 255, ...payload);
  };
  segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]); // JFIF
  segment(0xdb, [0x00, ...new Array(64).fill(1)]);
  segment(0xc0, [8, height >> 8, height & 255, width >> 8, width & 255, 1, 1, 0x11, 0]);
  const dcBits = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
  segment(0xc4, [0x00, ...dcBits, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  segment(0xc4, [0x10, 1, ...new Array(15).fill(0), 0x00]); // EOB = "0"
  segment(0xda, [1, 1, 0x00, 0, 63, 0]);

  // canonical Huffman codes of the DC table
  const dcCode = [];
  let code = 0;
  let sym = 0;
  for (let len = 1; len <= 16; len++) {
    for (let i = 0; i < dcBits[len - 1]; i++) dcCode[sym++] = { code: code++, len };
    code <<= 1;
  }

  let acc = 0;
  let nbits = 0;
  const put = (value, len) => {
    for (let i = len - 1; i >= 0; i--) {
      acc = (acc << 1) | ((value >> i) & 1);
      if (++nbits === 8) {
        out.push(acc);
        if (acc === 0xff) out.push(0); // byte stuffing
        acc = 0;
        nbits = 0;
      }
    }
  };
  let prev = 0;
  for (let by = 0; by < Math.ceil(height / 8); by++) {
    for (let bx = 0; bx < Math.ceil(width / 8); bx++) {
      const g = grayAt(Math.min(bx * 8 + 4, width - 1), Math.min(by * 8 + 4, height - 1));
      const dc = 8 * (g - 128);
      const diff = dc - prev;
      prev = dc;
      const mag = Math.abs(diff);
      const cat = mag === 0 ? 0 : 32 - Math.clz32(mag);
      put(dcCode[cat].code, dcCode[cat].len);
      if (cat > 0) put(diff > 0 ? diff : diff + (1 << cat) - 1, cat);
      put(0, 1); // EOB
    }
  }
  if (nbits > 0) put((1 << (8 - nbits)) - 1, 8 - nbits); // pad with ones
  out.push(0xff, 0xd9);
  return Buffer.from(out);
}

/** { type, width, height } of PNG / GIF / JPEG bytes, or null. */
export function imageInfo(buf) {
  buf = Buffer.from(buf);
  if (buf.subarray(0, 8).equals(PNG_SIGNATURE) && buf.toString("ascii", 12, 16) === "IHDR") {
    return { type: "png", width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
  }
  if (buf.toString("ascii", 0, 3) === "GIF") {
    return { type: "gif", width: buf.readUInt16LE(6), height: buf.readUInt16LE(8) };
  }
  if (buf[0] === 0xff && buf[1] === 0xd8) {
    let i = 2;
    while (i + 9 < buf.length) {
      if (buf[i] !== 0xff) return null;
      const marker = buf[i + 1];
      if (marker === 0xff) {
        i++;
        continue;
      }
      const len = buf.readUInt16BE(i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
        return { type: "jpeg", width: buf.readUInt16BE(i + 7), height: buf.readUInt16BE(i + 5) };
      }
      i += 2 + len;
    }
  }
  return null;
}

/** Decodes an 8-bit non-interlaced PNG; returns { width, height, rgb(x, y) }. */
export function decodePng(buf) {
  buf = Buffer.from(buf);
  if (!buf.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error("not a PNG");
  let i = 8;
  let width, height, depth, colorType, interlace;
  let palette = null;
  const idat = [];
  while (i < buf.length) {
    const len = buf.readUInt32BE(i);
    const type = buf.toString("ascii", i + 4, i + 8);
    const data = buf.subarray(i + 8, i + 8 + len);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      depth = data[8];
      colorType = data[9];
      interlace = data[12];
    } else if (type === "PLTE") palette = data;
    else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
    i += 12 + len;
  }
  if (depth !== 8 || interlace !== 0) throw new Error(`unsupported PNG depth ${depth} / interlace ${interlace}`);
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colorType];
  const bpp = channels;
  const stride = width * bpp;
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const px = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? px[y * stride + x - bpp] : 0;
      const b = y > 0 ? px[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y > 0 ? px[(y - 1) * stride + x - bpp] : 0;
      let v = line[x];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      px[y * stride + x] = v & 255;
    }
  }
  const rgb = (x, y) => {
    const o = y * stride + x * bpp;
    if (colorType === 0 || colorType === 4) return [px[o], px[o], px[o]];
    if (colorType === 3) return [palette[px[o] * 3], palette[px[o] * 3 + 1], palette[px[o] * 3 + 2]];
    return [px[o], px[o + 1], px[o + 2]];
  };
  return { width, height, colorType, rgb };
}
