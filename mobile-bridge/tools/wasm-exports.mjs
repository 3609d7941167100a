// Drops exported Globals from a WebAssembly binary (rustc exports __data_end / __heap_base; iOS WeChat
// refuses modules that export Globals). Only the export section is rewritten; the Globals stay, so
// indices elsewhere are untouched.

function readU32(b, pos) {
  let v = 0, shift = 0, byte;
  do {
    byte = b[pos.i++];
    v |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  return v >>> 0;
}

function u32(v) {
  const out = [];
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return out;
}

const EXPORT_SECTION = 7;
const GLOBAL_KIND = 3;

/** @param {Uint8Array} wasm @returns {Uint8Array} */
export function removeGlobalExports(wasm) {
  const b = Uint8Array.from(wasm);
  if (b[0] !== 0 || b[1] !== 0x61 || b[2] !== 0x73 || b[3] !== 0x6d) throw new Error('not a WebAssembly binary');
  const parts = [b.subarray(0, 8)];
  const pos = { i: 8 };
  while (pos.i < b.length) {
    const start = pos.i;
    const id = b[pos.i++];
    const size = readU32(b, pos);
    const bodyStart = pos.i;
    const end = bodyStart + size;
    if (id !== EXPORT_SECTION) {
      parts.push(b.subarray(start, end));
      pos.i = end;
      continue;
    }
    const count = readU32(b, pos);
    const kept = [];
    let keptCount = 0;
    for (let n = 0; n < count; n++) {
      const entryStart = pos.i;
      const nameLen = readU32(b, pos);
      pos.i += nameLen;
      const kind = b[pos.i++];
      readU32(b, pos);
      if (kind !== GLOBAL_KIND) {
        kept.push(b.subarray(entryStart, pos.i));
        keptCount++;
      }
    }
    if (pos.i !== end) throw new Error('malformed export section');
    const body = [...u32(keptCount), ...kept.flatMap((e) => [...e])];
    parts.push(Uint8Array.from([id, ...u32(body.length), ...body]));
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
