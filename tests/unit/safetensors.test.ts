import { describe, it, expect } from 'vitest';
import { NANO, VOCAB, paramCount, paramSpecs, type GPTConfig } from '../../src/gpt/config.ts';
import {
  SafetensorsError,
  loadWeights,
  readSafetensors,
  saveWeights,
  writeSafetensors,
} from '../../src/gpt/safetensors.ts';
import { mulberry32 } from '../../src/gpt/random.ts';

function randomParams(cfg: GPTConfig, seed: number): Float32Array {
  const next = mulberry32(seed);
  const params = new Float32Array(paramCount(cfg));
  for (let i = 0; i < params.length; i++) params[i] = (next() - 0.5) * 4;
  return params;
}

/** The float bits, so comparisons distinguish -0 from 0 and keep NaN payloads. */
function bits(data: Float32Array): Uint32Array {
  return new Uint32Array(data.buffer, data.byteOffset, data.length);
}

/** Splits a file into its parsed header object and its data section. */
function splitFile(bytes: Uint8Array): { header: Record<string, unknown>; data: Uint8Array } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
  return { header, data: bytes.slice(8 + n) };
}

/** Rebuilds a file from a header (an object, or raw header text/bytes for malformed cases) and data bytes. */
function buildFile(header: unknown, data: Uint8Array): Uint8Array {
  const headerBytes =
    header instanceof Uint8Array
      ? header
      : new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + headerBytes.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  out.set(data, 8 + headerBytes.length);
  return out;
}

/** A valid two-tensor file: a is [2,3] at bytes [0,24), b is [4] at [24,40). */
function smallFile(): { header: Record<string, Record<string, unknown>>; data: Uint8Array } {
  const bytes = writeSafetensors(
    [
      { name: 'a', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
      { name: 'b', shape: [4], data: new Float32Array([7, 8, 9, 10]) },
    ],
    { note: 'test' },
  );
  const { header, data } = splitFile(bytes);
  return { header: header as Record<string, Record<string, unknown>>, data };
}

/** smallFile with one tensor entry's fields replaced (undefined deletes a field). */
function withEntry(name: string, fields: Record<string, unknown>): Uint8Array {
  const { header, data } = smallFile();
  const entry = { ...header[name] };
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) delete entry[k];
    else entry[k] = v;
  }
  header[name] = entry;
  return buildFile(header, data);
}

/** A NANO weights file whose tensor list was edited, for the loadWeights checks. */
function nanoFileWith(
  edit: (tensors: { name: string; shape: number[]; data: Float32Array }[]) => void,
  metadata: Record<string, string> = { config: JSON.stringify(NANO), vocab: VOCAB },
): Uint8Array {
  const params = randomParams(NANO, 7);
  const tensors = paramSpecs(NANO).map((s) => ({
    name: s.name,
    shape: s.shape,
    data: params.slice(s.offset, s.offset + s.size),
  }));
  edit(tensors);
  return writeSafetensors(tensors, metadata);
}

function nanoFileWithMetadata(metadata: Record<string, string>): Uint8Array {
  return nanoFileWith(() => {}, metadata);
}

describe('safetensors round trip', () => {
  it('saves and loads NANO weights with identical bits, config and metadata', () => {
    const params = randomParams(NANO, 42);
    const bytes = saveWeights(NANO, params, { step: '5000', loss: '0.0123' });
    const loaded = loadWeights(bytes);
    expect(loaded.config).toEqual({ ...NANO });
    expect(loaded.params.length).toBe(paramCount(NANO));
    expect(bits(loaded.params)).toEqual(bits(params));
    expect(loaded.metadata).toEqual({
      config: '{"n_layer":3,"n_head":3,"n_embd":48,"vocab_size":3,"block_size":11}',
      vocab: 'ABC',
      format: 'pt',
      step: '5000',
      loss: '0.0123',
    });
  });

  it('gives identical bytes for the same input, whatever the metadata insertion order', () => {
    const params = randomParams(NANO, 1);
    const a = saveWeights(NANO, params, { x: '1', y: '2' });
    const b = saveWeights(NANO, params.slice(), { y: '2', x: '1' });
    expect(b).toEqual(a);
    const different = params.slice();
    different[0] = different[0]! + 1;
    expect(saveWeights(NANO, different, { x: '1', y: '2' })).not.toEqual(a);
  });

  it('writes a space-padded header and contiguous tensors in paramSpecs order', () => {
    const bytes = saveWeights(NANO, randomParams(NANO, 3), {});
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const headerText = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(headerText.trimEnd().endsWith('}')).toBe(true);
    expect(headerText.slice(headerText.trimEnd().length)).toMatch(/^ *$/);

    const { header, data } = splitFile(bytes);
    const specs = paramSpecs(NANO);
    expect(Object.keys(header)).toEqual(['__metadata__', ...specs.map((s) => s.name)]);
    for (const s of specs) {
      expect(header[s.name]).toEqual({ dtype: 'F32', shape: s.shape, data_offsets: [s.offset * 4, (s.offset + s.size) * 4] });
    }
    expect(data.length).toBe(paramCount(NANO) * 4);
  });

  it('keeps header order equal to file order even for integer-like tensor names', () => {
    const bytes = writeSafetensors(
      [
        { name: 'z', shape: [1], data: new Float32Array([1]) },
        { name: '0', shape: [1], data: new Float32Array([2]) },
      ],
      {},
    );
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text.indexOf('"z"')).toBeLessThan(text.indexOf('"0"'));
    expect(text).not.toContain('__metadata__');
    expect([...readSafetensors(bytes).tensors.keys()]).toEqual(['z', '0']);
  });

  it('preserves -0, NaN payloads and infinities, and reads from an unaligned buffer', () => {
    const data = new Float32Array(4);
    const u = new Uint32Array(data.buffer);
    u[0] = 0x80000000; // -0
    u[1] = 0x7fc00123; // NaN with a payload
    data[2] = Infinity;
    data[3] = -1.5e-42; // subnormal
    const bytes = writeSafetensors([{ name: 't', shape: [2, 2], data }], {});
    const unaligned = new Uint8Array(bytes.length + 1);
    unaligned.set(bytes, 1);
    const t = readSafetensors(unaligned.subarray(1)).tensors.get('t')!;
    expect(t.dtype).toBe('F32');
    expect(t.shape).toEqual([2, 2]);
    expect(t.data.byteOffset % 4).toBe(0);
    expect(bits(t.data)).toEqual(u);
  });
});

describe('readSafetensors rejects corrupt files', () => {
  it('accepts the unedited small file (so the cases below fail for their edit alone)', () => {
    const { header, data } = smallFile();
    const file = readSafetensors(buildFile(header, data));
    expect(file.metadata).toEqual({ note: 'test' });
    expect([...file.tensors.keys()]).toEqual(['a', 'b']);
    expect([...file.tensors.get('b')!.data]).toEqual([7, 8, 9, 10]);
  });

  it('throws SafetensorsError, an Error subclass with its own name', () => {
    let caught: unknown;
    try {
      readSafetensors(new Uint8Array(3));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SafetensorsError);
    expect(caught).toBeInstanceOf(Error);
    expect((caught as Error).name).toBe('SafetensorsError');
  });

  it('a file shorter than 8 bytes', () => {
    expect(() => readSafetensors(new Uint8Array(5))).toThrow(/file is 5 bytes: too short/);
  });

  it('a header length larger than the file', () => {
    const bytes = buildFile('{}', new Uint8Array(0));
    new DataView(bytes.buffer).setBigUint64(0, 50n, true);
    expect(() => readSafetensors(bytes)).toThrow(/header length 50 is larger than the file: only 2 bytes/);
  });

  it('an absurd header length (> 100 MB)', () => {
    const bytes = buildFile('{}', new Uint8Array(0));
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 40n, true);
    expect(() => readSafetensors(bytes)).toThrow(/header length 1099511627776 is absurd.*100 MB/);
  });

  it('a header that is not valid UTF-8', () => {
    expect(() => readSafetensors(buildFile(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), new Uint8Array(0)))).toThrow(
      /header is not valid UTF-8/,
    );
  });

  it('a header that is not valid JSON', () => {
    expect(() => readSafetensors(buildFile('{"a": {', new Uint8Array(0)))).toThrow(/header is not valid JSON/);
  });

  it('a header that is JSON but not an object', () => {
    expect(() => readSafetensors(buildFile('[1, 2]', new Uint8Array(0)))).toThrow(/header JSON is an array: expected an object/);
    expect(() => readSafetensors(buildFile('null', new Uint8Array(0)))).toThrow(/header JSON is null/);
  });

  it('metadata that is not an object of strings', () => {
    const { header, data } = smallFile();
    header['__metadata__'] = { note: 3 };
    expect(() => readSafetensors(buildFile(header, data))).toThrow(/metadata "note" is the number 3: metadata values must be strings/);
    header['__metadata__'] = ['x'] as unknown as Record<string, unknown>;
    expect(() => readSafetensors(buildFile(header, data))).toThrow(/"__metadata__" is an array/);
  });

  it('a tensor entry that is not an object', () => {
    const { header, data } = smallFile();
    (header as Record<string, unknown>)['a'] = 'F32';
    expect(() => readSafetensors(buildFile(header, data))).toThrow(/tensor a entry is the string "F32"/);
  });

  it.each(['dtype', 'shape', 'data_offsets'])('a tensor entry missing %s', (field) => {
    expect(() => readSafetensors(withEntry('b', { [field]: undefined }))).toThrow(
      new RegExp(`tensor b is missing "${field}"`),
    );
  });

  it('a dtype that is not a string', () => {
    expect(() => readSafetensors(withEntry('a', { dtype: 32 }))).toThrow(/tensor a dtype is the number 32: expected a string/);
  });

  it('a shape that is not an array of non-negative integers', () => {
    expect(() => readSafetensors(withEntry('a', { shape: '2x3' }))).toThrow(/tensor a shape is "2x3": expected an array/);
    expect(() => readSafetensors(withEntry('a', { shape: [2, -3] }))).toThrow(/tensor a shape is \[2,-3\]/);
    expect(() => readSafetensors(withEntry('a', { shape: [2, 1.5] }))).toThrow(/tensor a shape is \[2,1.5\]/);
  });

  it('data_offsets that are not two non-negative integers', () => {
    expect(() => readSafetensors(withEntry('a', { data_offsets: [0] }))).toThrow(/tensor a data_offsets is \[0\]: expected \[begin, end\]/);
    expect(() => readSafetensors(withEntry('a', { data_offsets: ['0', '24'] }))).toThrow(/tensor a data_offsets is \["0","24"\]/);
  });

  it('an unknown dtype', () => {
    expect(() => readSafetensors(withEntry('a', { dtype: 'Q4_K' }))).toThrow(/tensor a has unknown dtype "Q4_K": expected F32/);
  });

  it('a known but unsupported dtype', () => {
    expect(() => readSafetensors(withEntry('b', { dtype: 'F16' }))).toThrow(/tensor b has dtype F16, which is not supported: expected F32/);
  });

  it('a shape whose size disagrees with the data offsets', () => {
    expect(() => readSafetensors(withEntry('a', { shape: [2, 2] }))).toThrow(
      /tensor a has shape \[2,2\] \(16 bytes as F32\) but data_offsets \[0, 24\] span 24 bytes/,
    );
  });

  it('begin after end', () => {
    expect(() => readSafetensors(withEntry('a', { data_offsets: [24, 0] }))).toThrow(/tensor a has data_offsets \[24, 0\]: begin is after end/);
  });

  it('offsets past the end of the data section', () => {
    expect(() => readSafetensors(withEntry('b', { data_offsets: [1000, 1016] }))).toThrow(
      /tensor b has data_offsets \[1000, 1016\], out of bounds: past the end of the 40-byte data section/,
    );
  });

  it('overlapping tensors', () => {
    expect(() => readSafetensors(withEntry('b', { data_offsets: [20, 36] }))).toThrow(/tensors a \[0, 24\] and b \[20, 36\] overlap/);
  });

  it('a gap between tensors', () => {
    const { header, data } = smallFile();
    header['b'] = { ...header['b'], data_offsets: [28, 44] };
    const padded = new Uint8Array(44);
    padded.set(data.subarray(0, 24));
    padded.set(data.subarray(24), 28);
    expect(() => readSafetensors(buildFile(header, padded))).toThrow(/gap in the data section: bytes 24 to 28 belong to no tensor/);
  });

  it('trailing bytes after the last tensor', () => {
    const { header, data } = smallFile();
    const longer = new Uint8Array(data.length + 4);
    longer.set(data);
    expect(() => readSafetensors(buildFile(header, longer))).toThrow(/4 trailing bytes after the last tensor/);
  });

  it('a truncated file', () => {
    const { header, data } = smallFile();
    expect(() => readSafetensors(buildFile(header, data.subarray(0, 30)))).toThrow(
      /truncated: expected 40 bytes of tensor data, found 30/,
    );
    const whole = buildFile(header, data);
    expect(() => readSafetensors(whole.subarray(0, whole.length - 1))).toThrow(/truncated: expected 40 bytes of tensor data, found 39/);
  });
});

describe('loadWeights checks the model', () => {
  it('a missing "config" metadata entry', () => {
    expect(() => loadWeights(nanoFileWithMetadata({ vocab: VOCAB }))).toThrow(/metadata has no "config" entry/);
  });

  it('a "config" that is not JSON', () => {
    expect(() => loadWeights(nanoFileWithMetadata({ config: 'n_layer=3', vocab: VOCAB }))).toThrow(/metadata "config" is not valid JSON/);
  });

  it('a config field that is missing or not a positive integer', () => {
    const { block_size: _, ...noBlock } = NANO;
    expect(() => loadWeights(nanoFileWithMetadata({ config: JSON.stringify(noBlock), vocab: VOCAB }))).toThrow(
      /config is missing block_size/,
    );
    for (const bad of [0, -3, 2.5, '3']) {
      const config = JSON.stringify({ ...NANO, n_head: bad });
      expect(() => loadWeights(nanoFileWithMetadata({ config, vocab: VOCAB }))).toThrow(
        new RegExp(`config.n_head is ${JSON.stringify(bad)}: expected a positive integer`),
      );
    }
  });

  it('n_embd not divisible by n_head', () => {
    const config = JSON.stringify({ ...NANO, n_head: 5 });
    expect(() => loadWeights(nanoFileWithMetadata({ config, vocab: VOCAB }))).toThrow(
      /config.n_embd 48 is not divisible by config.n_head 5/,
    );
  });

  it('a vocab whose length is not vocab_size', () => {
    expect(() => loadWeights(nanoFileWithMetadata({ config: JSON.stringify(NANO), vocab: 'ABCD' }))).toThrow(
      /metadata "vocab" has 4 letters, expected vocab_size = 3/,
    );
    expect(() => loadWeights(nanoFileWithMetadata({ config: JSON.stringify(NANO) }))).toThrow(/metadata has no "vocab" entry/);
  });

  it('a missing tensor', () => {
    const bytes = nanoFileWith((ts) => ts.splice(ts.findIndex((t) => t.name === 'transformer.h.2.ln_1.bias'), 1));
    expect(() => loadWeights(bytes)).toThrow(/^missing tensor transformer\.h\.2\.ln_1\.bias$/);
  });

  it('an unexpected tensor', () => {
    const bytes = nanoFileWith((ts) => ts.push({ name: 'foo', shape: [1], data: new Float32Array(1) }));
    expect(() => loadWeights(bytes)).toThrow(/^unexpected tensor foo$/);
  });

  it('a tensor with the wrong shape', () => {
    const bytes = nanoFileWith((ts) => {
      const i = ts.findIndex((t) => t.name === 'lm_head.weight');
      ts[i] = { name: 'lm_head.weight', shape: [3, 47], data: new Float32Array(3 * 47) };
    });
    expect(() => loadWeights(bytes)).toThrow(/tensor lm_head\.weight has shape \[3,47\], expected \[3,48\] for this config/);
  });

  it('loads a different valid config with its own tensor layout', () => {
    const cfg: GPTConfig = { n_layer: 1, n_head: 2, n_embd: 8, vocab_size: 3, block_size: 4 };
    const params = randomParams(cfg, 9);
    const loaded = loadWeights(saveWeights(cfg, params, {}));
    expect(loaded.config).toEqual(cfg);
    expect(bits(loaded.params)).toEqual(bits(params));
  });
});

describe('the writers reject bad input', () => {
  it('saveWeights: params of the wrong length', () => {
    expect(() => saveWeights(NANO, new Float32Array(10), {})).toThrow(
      new RegExp(`params has 10 values, expected ${paramCount(NANO)} for this config`),
    );
  });

  it('saveWeights: extra metadata overriding config, vocab or format', () => {
    const params = randomParams(NANO, 2);
    expect(() => saveWeights(NANO, params, { config: '{}' })).toThrow(/extra metadata key "config" is reserved/);
    expect(() => saveWeights(NANO, params, { format: 'np' })).toThrow(/extra metadata key "format" is reserved/);
  });

  it('saveWeights: a vocab_size the vocabulary does not have', () => {
    const cfg = { ...NANO, vocab_size: 4 };
    expect(() => saveWeights(cfg, new Float32Array(paramCount(cfg)), {})).toThrow(
      /config.vocab_size is 4 but the vocabulary "ABC" has 3 letters/,
    );
  });

  it('writeSafetensors: duplicate names, data that does not match the shape, non-string metadata', () => {
    const t = { name: 'a', shape: [2], data: new Float32Array(2) };
    expect(() => writeSafetensors([t, t], {})).toThrow(/tensor a is given twice/);
    expect(() => writeSafetensors([{ ...t, shape: [3] }], {})).toThrow(/tensor a has shape \[3\] \(3 elements\) but 2 values/);
    expect(() => writeSafetensors([{ ...t, name: '__metadata__' }], {})).toThrow(/"__metadata__" is reserved/);
    expect(() => writeSafetensors([t], { n: 3 as unknown as string })).toThrow(/metadata "n" is a number: .* must be strings/);
  });
});

describe('reading from Node buffers', () => {
  it('reads a file held in a Buffer that is a view into a larger, shared allocation', () => {
    const params = randomParams(NANO, 11);
    const bytes = saveWeights(NANO, params, {});
    // fs.readFileSync returns such views for small files: byteOffset is not 0 and the
    // underlying ArrayBuffer holds other data, so a reader must not use .buffer from 0.
    const pool = Buffer.alloc(bytes.length + 13, 0xab);
    pool.set(bytes, 13);
    const view = pool.subarray(13);
    expect(bits(loadWeights(view).params)).toEqual(bits(params));
  });
});
