/**
 * Reading and writing the model's weights as a safetensors file, the format PyTorch users load with
 * `safetensors.torch.load_file`. Layout: an 8-byte little-endian u64 header length N, N bytes of UTF-8
 * JSON header, then the raw little-endian tensor data. The header maps each tensor name to
 * {dtype, shape, data_offsets: [begin, end]} (offsets relative to the start of the data section), plus an
 * optional "__metadata__" object of string values.
 *
 * A weights file comes from outside (a download, a drag-and-drop), so the reader trusts nothing in it and
 * names the first problem it finds. The writer produces the same bytes for the same input so that a
 * saved file can be compared, hashed and committed.
 */

import { paramCount, paramSpecs, VOCAB, type GPTConfig } from './config.ts';

/** Any problem with a safetensors file or with the weights it holds. */
export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

/** One tensor to write: `data` holds the elements in row-major order. */
export interface TensorInput {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** One tensor as read from a file. `data` is a fresh, aligned copy, independent of the file's bytes. */
export interface TensorOutput {
  dtype: string;
  shape: number[];
  data: Float32Array;
}

export interface SafetensorsFile {
  metadata: Record<string, string>;
  /** Tensors in the order their data appears in the file. */
  tensors: Map<string, TensorOutput>;
}

/** The model's configuration and its parameters, packed at the offsets of paramSpecs(config). */
export interface Weights {
  config: GPTConfig;
  params: Float32Array;
  /** Every "__metadata__" entry of the file, including "config" and "vocab". */
  metadata: Record<string, string>;
}

/** The reference implementation refuses headers above this size (100 MB); so do we, before allocating. */
const MAX_HEADER_BYTES = 100_000_000;
const LENGTH_PREFIX_BYTES = 8;
/** The reference writer pads the header with spaces so the data section starts 8-byte aligned. */
const HEADER_ALIGNMENT = 8;
const METADATA_KEY = '__metadata__';
const F32_BYTES = 4;

/** Every dtype the safetensors spec defines; anything else is not a safetensors dtype at all. */
const KNOWN_DTYPES: ReadonlySet<string> = new Set([
  'BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'F8_E8M0', 'F4', 'F6_E2M3', 'F6_E3M2',
  'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64', 'C64',
]);

/** The file format is little-endian; on a big-endian host every 4-byte word must be reversed. */
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------------------

/**
 * Serializes tensors (all F32) and string metadata. Tensors are laid out in the order given, back to back;
 * metadata keys are sorted, so the bytes depend only on the content, not on how the record was built.
 */
export function writeSafetensors(tensors: TensorInput[], metadata: Record<string, string>): Uint8Array {
  checkTensorInputs(tensors);
  const metadataJson = metadataToJson(metadata);

  const entries: string[] = [];
  if (metadataJson !== null) entries.push(`${JSON.stringify(METADATA_KEY)}:${metadataJson}`);
  let offset = 0;
  for (const t of tensors) {
    const end = offset + t.data.length * F32_BYTES;
    const info = { dtype: 'F32', shape: t.shape, data_offsets: [offset, end] };
    entries.push(`${JSON.stringify(t.name)}:${JSON.stringify(info)}`);
    offset = end;
  }
  // Built by hand rather than with JSON.stringify of one object: an object would move integer-like
  // tensor names (e.g. "0") to the front, breaking the promise that header order is file order.
  const header = paddedHeaderBytes(`{${entries.join(',')}}`);

  const out = new Uint8Array(LENGTH_PREFIX_BYTES + header.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(header, LENGTH_PREFIX_BYTES);
  let at = LENGTH_PREFIX_BYTES + header.length;
  for (const t of tensors) {
    out.set(float32ToLittleEndianBytes(t.data), at);
    at += t.data.byteLength;
  }
  return out;
}

/** Rejects input that would produce an unreadable or ambiguous file, naming the offending tensor. */
function checkTensorInputs(tensors: TensorInput[]): void {
  const seen = new Set<string>();
  for (const t of tensors) {
    if (typeof t.name !== 'string' || t.name.length === 0) {
      throw new SafetensorsError(`tensor name ${JSON.stringify(t.name)} is invalid: expected a non-empty string`);
    }
    if (t.name === METADATA_KEY) {
      throw new SafetensorsError(`tensor name "${METADATA_KEY}" is reserved for the file's metadata`);
    }
    if (seen.has(t.name)) throw new SafetensorsError(`tensor ${t.name} is given twice: names must be unique`);
    seen.add(t.name);
    if (!(t.data instanceof Float32Array)) {
      throw new SafetensorsError(`tensor ${t.name} data is not a Float32Array: only F32 tensors can be written`);
    }
    const count = elementCount(t.shape);
    if (count === null) {
      throw new SafetensorsError(
        `tensor ${t.name} has shape ${formatShape(t.shape)}: expected an array of non-negative integers`,
      );
    }
    if (count !== t.data.length) {
      throw new SafetensorsError(
        `tensor ${t.name} has shape ${formatShape(t.shape)} (${count} elements) but ${t.data.length} values`,
      );
    }
  }
}

/** The "__metadata__" JSON with sorted keys, or null when there is none (the spec makes it optional). */
function metadataToJson(metadata: Record<string, string>): string | null {
  const keys = Object.keys(metadata).sort();
  if (keys.length === 0) return null;
  const parts = keys.map((key) => {
    const value: unknown = metadata[key];
    if (typeof value !== 'string') {
      throw new SafetensorsError(`metadata ${JSON.stringify(key)} is a ${typeof value}: safetensors metadata values must be strings`);
    }
    return `${JSON.stringify(key)}:${JSON.stringify(value)}`;
  });
  return `{${parts.join(',')}}`;
}

/** UTF-8 header bytes padded with trailing spaces (valid JSON whitespace) to a multiple of 8. */
function paddedHeaderBytes(json: string): Uint8Array {
  const raw = new TextEncoder().encode(json);
  const padded = new Uint8Array(Math.ceil(raw.length / HEADER_ALIGNMENT) * HEADER_ALIGNMENT);
  padded.fill(0x20);
  padded.set(raw);
  return padded;
}

/** Copies the floats' exact bits (NaN payloads included) in little-endian byte order. */
function float32ToLittleEndianBytes(data: Float32Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  swapWordsIfBigEndian(bytes);
  return bytes;
}

function swapWordsIfBigEndian(bytes: Uint8Array): void {
  if (HOST_IS_LITTLE_ENDIAN) return;
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const b0 = bytes[i]!;
    const b1 = bytes[i + 1]!;
    bytes[i] = bytes[i + 3]!;
    bytes[i + 1] = bytes[i + 2]!;
    bytes[i + 2] = b1;
    bytes[i + 3] = b0;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------------------

/** A tensor entry of the header after its types were checked; offsets are relative to the data section. */
interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Parses and validates a safetensors file holding F32 tensors. Throws SafetensorsError naming the first
 * problem: a short file, a bad header length, a header that is not a JSON object, a malformed tensor
 * entry, a dtype other than F32, a size that disagrees with the shape, or data offsets that do not tile
 * the data section exactly (the spec forbids gaps, overlaps and trailing bytes).
 */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  const headerLength = readHeaderLength(bytes);
  const header = parseHeaderJson(bytes.subarray(LENGTH_PREFIX_BYTES, LENGTH_PREFIX_BYTES + headerLength));
  const metadata = parseMetadata(header[METADATA_KEY]);
  const entries = Object.keys(header)
    .filter((name) => name !== METADATA_KEY)
    .map((name) => parseTensorEntry(name, header[name]));
  const dataStart = LENGTH_PREFIX_BYTES + headerLength;
  const data = bytes.subarray(dataStart);
  const ordered = checkDataLayout(entries, data.length);

  const tensors = new Map<string, TensorOutput>();
  for (const e of ordered) {
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: littleEndianBytesToFloat32(data, e.begin, e.end) });
  }
  return { metadata, tensors };
}

/** The u64 header length, checked against the file size before anything is decoded. */
function readHeaderLength(bytes: Uint8Array): number {
  if (bytes.length < LENGTH_PREFIX_BYTES) {
    throw new SafetensorsError(
      `file is ${bytes.length} bytes: too short for the 8-byte header length that starts a safetensors file`,
    );
  }
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (length > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(`header length ${length} is absurd: more than the ${MAX_HEADER_BYTES}-byte (100 MB) limit`);
  }
  const available = bytes.length - LENGTH_PREFIX_BYTES;
  if (Number(length) > available) {
    throw new SafetensorsError(
      `header length ${length} is larger than the file: only ${available} bytes follow the 8-byte length`,
    );
  }
  return Number(length);
}

function parseHeaderJson(headerBytes: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch {
    throw new SafetensorsError('header is not valid UTF-8: expected UTF-8 encoded JSON');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SafetensorsError(`header is not valid JSON (${(err as Error).message}): expected a JSON object`);
  }
  if (!isPlainObject(value)) {
    throw new SafetensorsError(`header JSON is ${describeJson(value)}: expected an object mapping tensor names to entries`);
  }
  return value;
}

/** The optional "__metadata__" object; the spec allows only string values. */
function parseMetadata(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    throw new SafetensorsError(`"${METADATA_KEY}" is ${describeJson(value)}: expected an object of strings`);
  }
  const metadata: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw new SafetensorsError(`metadata ${JSON.stringify(key)} is ${describeJson(v)}: metadata values must be strings`);
    }
    metadata[key] = v;
  }
  return metadata;
}

/** Checks one header entry's types, its dtype (F32 only) and that its byte span matches its shape. */
function parseTensorEntry(name: string, value: unknown): TensorEntry {
  if (!isPlainObject(value)) {
    throw new SafetensorsError(`tensor ${name} entry is ${describeJson(value)}: expected {dtype, shape, data_offsets}`);
  }
  const { dtype, shape, data_offsets: offsets } = value;
  if (dtype === undefined) throw new SafetensorsError(`tensor ${name} is missing "dtype"`);
  if (shape === undefined) throw new SafetensorsError(`tensor ${name} is missing "shape"`);
  if (offsets === undefined) throw new SafetensorsError(`tensor ${name} is missing "data_offsets"`);
  if (typeof dtype !== 'string') {
    throw new SafetensorsError(`tensor ${name} dtype is ${describeJson(dtype)}: expected a string such as "F32"`);
  }
  if (!isIntegerArray(shape)) {
    throw new SafetensorsError(
      `tensor ${name} shape is ${JSON.stringify(shape)}: expected an array of non-negative integers`,
    );
  }
  if (!isIntegerArray(offsets) || offsets.length !== 2) {
    throw new SafetensorsError(
      `tensor ${name} data_offsets is ${JSON.stringify(offsets)}: expected [begin, end], two non-negative integers`,
    );
  }
  if (!KNOWN_DTYPES.has(dtype)) {
    throw new SafetensorsError(`tensor ${name} has unknown dtype ${JSON.stringify(dtype)}: expected F32`);
  }
  if (dtype !== 'F32') {
    throw new SafetensorsError(`tensor ${name} has dtype ${dtype}, which is not supported: expected F32`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) {
    throw new SafetensorsError(`tensor ${name} has data_offsets [${begin}, ${end}]: begin is after end`);
  }
  const count = elementCount(shape);
  if (count === null) {
    throw new SafetensorsError(`tensor ${name} has shape ${formatShape(shape)}: too many elements to address`);
  }
  const expectedBytes = count * F32_BYTES;
  if (expectedBytes !== end - begin) {
    throw new SafetensorsError(
      `tensor ${name} has shape ${formatShape(shape)} (${expectedBytes} bytes as F32) ` +
        `but data_offsets [${begin}, ${end}] span ${end - begin} bytes`,
    );
  }
  return { name, dtype, shape, begin, end };
}

/**
 * Checks that the tensors tile the data section exactly and returns them in file order. A header whose
 * tensors are contiguous but run past the data is a truncated file; a tensor that points past the data
 * while the layout has holes is a corrupt offset, reported as out of bounds.
 */
function checkDataLayout(entries: TensorEntry[], dataLength: number): TensorEntry[] {
  const ordered = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let firstGap: { after: TensorEntry | null; next: TensorEntry } | null = null;
  let previous: TensorEntry | null = null;
  for (const e of ordered) {
    if (previous !== null && e.begin < covered) {
      throw new SafetensorsError(
        `tensors ${previous.name} [${previous.begin}, ${previous.end}] and ${e.name} [${e.begin}, ${e.end}] overlap`,
      );
    }
    if (e.begin > covered && firstGap === null) firstGap = { after: previous, next: e };
    covered = e.end;
    previous = e;
  }

  if (firstGap !== null) {
    const outOfBounds = ordered.find((e) => e.end > dataLength);
    if (outOfBounds !== undefined) {
      throw new SafetensorsError(
        `tensor ${outOfBounds.name} has data_offsets [${outOfBounds.begin}, ${outOfBounds.end}], ` +
          `out of bounds: past the end of the ${dataLength}-byte data section`,
      );
    }
    const gapStart = firstGap.after === null ? 0 : firstGap.after.end;
    throw new SafetensorsError(
      `gap in the data section: bytes ${gapStart} to ${firstGap.next.begin} belong to no tensor ` +
        `(the tensors must cover the data section exactly)`,
    );
  }
  if (covered > dataLength) {
    throw new SafetensorsError(`truncated: expected ${covered} bytes of tensor data, found ${dataLength}`);
  }
  if (covered < dataLength) {
    throw new SafetensorsError(
      `${dataLength - covered} trailing bytes after the last tensor: the header accounts for ${covered} ` +
        `of the ${dataLength} bytes of data`,
    );
  }
  return ordered;
}

/** An aligned Float32Array holding the exact bits of data[begin, end), whatever the source's alignment. */
function littleEndianBytesToFloat32(data: Uint8Array, begin: number, end: number): Float32Array {
  // A fresh Uint8Array, not data.slice(): on a Node Buffer, slice() is a view into a shared pool.
  const copy = new Uint8Array(end - begin);
  copy.set(data.subarray(begin, end));
  swapWordsIfBigEndian(copy);
  return new Float32Array(copy.buffer, 0, (end - begin) / F32_BYTES);
}

// ---------------------------------------------------------------------------------------------------------
// Model weights
// ---------------------------------------------------------------------------------------------------------

/** Metadata keys that saveWeights derives from its arguments, so callers may not set them. */
const RESERVED_METADATA = ['config', 'vocab', 'format'] as const;
const CONFIG_KEYS = ['n_layer', 'n_head', 'n_embd', 'vocab_size', 'block_size'] as const;

/**
 * Reads a weights file written by saveWeights (or by PyTorch from a minGPT state dict with the same
 * metadata): the config comes from metadata "config", and the tensors must be exactly those of
 * paramSpecs(config), which are packed into one buffer at their paramSpecs offsets.
 */
export function loadWeights(bytes: Uint8Array): Weights {
  const file = readSafetensors(bytes);
  const config = parseConfigMetadata(file.metadata['config']);
  checkVocabMetadata(file.metadata['vocab'], config);
  const params = packTensors(file.tensors, config);
  return { config, params, metadata: file.metadata };
}

/**
 * Writes params (laid out as paramSpecs(config)) as a minGPT state dict, tensors in paramSpecs order, with
 * metadata { config, vocab, format: "pt", ...extraMetadata }. extraMetadata may not override the first
 * three: a file whose "config" disagreed with its tensors could not be loaded back.
 */
export function saveWeights(config: GPTConfig, params: Float32Array, extraMetadata: Record<string, string>): Uint8Array {
  const checked = checkConfig(config);
  if (checked.vocab_size !== VOCAB.length) {
    throw new SafetensorsError(
      `config.vocab_size is ${checked.vocab_size} but the vocabulary "${VOCAB}" has ${VOCAB.length} letters`,
    );
  }
  const expected = paramCount(checked);
  if (params.length !== expected) {
    throw new SafetensorsError(`params has ${params.length} values, expected ${expected} for this config`);
  }
  for (const key of RESERVED_METADATA) {
    if (Object.hasOwn(extraMetadata, key)) {
      throw new SafetensorsError(`extra metadata key "${key}" is reserved: saveWeights writes it itself`);
    }
  }
  const tensors = paramSpecs(checked).map((spec) => ({
    name: spec.name,
    shape: spec.shape,
    data: params.subarray(spec.offset, spec.offset + spec.size),
  }));
  const metadata = { config: configToJson(checked), vocab: VOCAB, format: 'pt', ...extraMetadata };
  return writeSafetensors(tensors, metadata);
}

/** The config as JSON with its keys in a fixed order, so equal configs give equal files. */
function configToJson(config: GPTConfig): string {
  const ordered: Record<string, number> = {};
  for (const key of CONFIG_KEYS) ordered[key] = config[key];
  return JSON.stringify(ordered);
}

function parseConfigMetadata(json: string | undefined): GPTConfig {
  if (json === undefined) {
    throw new SafetensorsError(
      `metadata has no "config" entry: expected a JSON string with ${CONFIG_KEYS.join(', ')}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new SafetensorsError(`metadata "config" is not valid JSON (${(err as Error).message})`);
  }
  if (!isPlainObject(value)) {
    throw new SafetensorsError(`metadata "config" is ${describeJson(value)}: expected a JSON object`);
  }
  return checkConfig(value);
}

/** A GPTConfig with exactly the five fields, each a positive integer, and heads that divide n_embd. */
function checkConfig(value: Record<string, unknown> | GPTConfig): GPTConfig {
  const record = value as Record<string, unknown>;
  const config: Record<string, number> = {};
  for (const key of CONFIG_KEYS) {
    const v = record[key];
    if (v === undefined) throw new SafetensorsError(`config is missing ${key}: expected a positive integer`);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
      throw new SafetensorsError(`config.${key} is ${JSON.stringify(v)}: expected a positive integer`);
    }
    config[key] = v;
  }
  const cfg = config as unknown as GPTConfig;
  if (cfg.n_embd % cfg.n_head !== 0) {
    throw new SafetensorsError(
      `config.n_embd ${cfg.n_embd} is not divisible by config.n_head ${cfg.n_head}: each head needs an equal share`,
    );
  }
  return cfg;
}

function checkVocabMetadata(vocab: string | undefined, config: GPTConfig): void {
  if (vocab === undefined) {
    throw new SafetensorsError(`metadata has no "vocab" entry: expected a string of ${config.vocab_size} letters`);
  }
  const letters = [...vocab].length;
  if (letters !== config.vocab_size) {
    throw new SafetensorsError(
      `metadata "vocab" has ${letters} letters, expected vocab_size = ${config.vocab_size}`,
    );
  }
}

/** Checks the tensor set and shapes against paramSpecs(config) and packs the data into one buffer. */
function packTensors(tensors: Map<string, TensorOutput>, config: GPTConfig): Float32Array {
  const specs = paramSpecs(config);
  for (const spec of specs) {
    const t = tensors.get(spec.name);
    if (t === undefined) throw new SafetensorsError(`missing tensor ${spec.name}`);
    if (!sameShape(t.shape, spec.shape)) {
      throw new SafetensorsError(
        `tensor ${spec.name} has shape ${formatShape(t.shape)}, expected ${formatShape(spec.shape)} for this config`,
      );
    }
  }
  const expectedNames = new Set(specs.map((s) => s.name));
  for (const name of tensors.keys()) {
    if (!expectedNames.has(name)) throw new SafetensorsError(`unexpected tensor ${name}`);
  }
  const params = new Float32Array(paramCount(config));
  for (const spec of specs) params.set(tensors.get(spec.name)!.data, spec.offset);
  return params;
}

// ---------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIntegerArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0);
}

/** Product of the dimensions, or null if a dimension is not a non-negative integer or the product overflows. */
function elementCount(shape: unknown): number | null {
  if (!isIntegerArray(shape)) return null;
  let count = 1;
  for (const d of shape) count *= d;
  return Number.isSafeInteger(count * F32_BYTES) ? count : null;
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function formatShape(shape: unknown): string {
  return Array.isArray(shape) ? `[${shape.join(',')}]` : JSON.stringify(shape);
}

/** A short description of a JSON value for error messages ("an array", "null", "the number 3"). */
function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `the ${typeof value} ${String(value)}`;
}
