// Draws the Teams app icons: color.png (192x192, white lifebuoy on the accent colour) and outline.png
// (32x32, the same lifebuoy in white on transparent). Run: node manifest/make-icons.cjs  (no dependencies)
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const accent = [0x0f, 0x6c, 0xbd];

// Coverage (0..1) of the lifebuoy at (x, y) in a unit square: a ring with four bands cut into it.
function lifebuoy(x, y) {
  const dx = x - 0.5, dy = y - 0.5;
  const r = Math.hypot(dx, dy);
  const ring = r >= 0.2 && r <= 0.42;
  const angle = Math.atan2(dy, dx) + Math.PI / 4;
  const inBand = Math.abs(Math.sin(2 * angle)) > 0.92;
  return ring && !inBand ? 1 : 0;
}

// 4x4 supersampling for smooth edges.
function coverage(px, py, size, margin) {
  let hits = 0;
  for (let sy = 0; sy < 4; sy++)
    for (let sx = 0; sx < 4; sx++) {
      const u = ((px + (sx + 0.5) / 4) / size - margin) / (1 - 2 * margin);
      const v = ((py + (sy + 0.5) / 4) / size - margin) / (1 - 2 * margin);
      hits += u >= 0 && u <= 1 && v >= 0 && v <= 1 ? lifebuoy(u, v) : 0;
    }
  return hits / 16;
}

function png(size, pixel) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) pixel(x, y).forEach((c, i) => (raw[y * (size * 4 + 1) + 1 + x * 4 + i] = c));
  }
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4); length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0); header.writeUInt32BE(size, 4);
  header[8] = 8; header[9] = 6; // 8-bit RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)),
  ]);
}

const color = png(192, (x, y) => {
  const c = coverage(x, y, 192, 0.12);
  return [...accent.map(a => Math.round(a + (255 - a) * c)), 255];
});
const outline = png(32, (x, y) => [255, 255, 255, Math.round(255 * coverage(x, y, 32, 0.02))]);

fs.writeFileSync(path.join(__dirname, 'color.png'), color);
fs.writeFileSync(path.join(__dirname, 'outline.png'), outline);
console.log('wrote manifest/color.png (192x192) and manifest/outline.png (32x32)');
