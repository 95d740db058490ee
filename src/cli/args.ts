/**
 * From command-line values to SDK-shaped input, the way the AWS CLI v2 does it: paramfiles
 * (`file://`, `fileb://`), shorthand or JSON for structures, lists and maps, base64 for blobs
 * (or raw text with `--cli-binary-format raw-in-base64-out`), then botocore's client-side
 * parameter validation (unknown and missing members, types, minimums).
 */
import type { Shape } from '../kms/operations/shape.ts';
import { fromBase64, fromUtf8, fromUtf8Strict, utf8 } from './bytes.ts';
import type { CliArgument } from './services.ts';
import { parseShorthand, ShorthandParseError } from './shorthand.ts';

/** The files the command line reads and writes; the lab's UI provides them. */
export interface VirtualFs {
  read(path: string): Uint8Array | undefined;
  write(path: string, bytes: Uint8Array): void;
  /** Optional: every path, for completion of `file://` / `fileb://`. */
  list?(): string[];
}

export type BinaryFormat = 'base64' | 'raw-in-base64-out';

/** A failure the CLI reports before calling the service (exit code 252 or 255). */
export class CliInputError extends Error {
  constructor(
    message: string,
    readonly exitCode = 252,
    /** argparse errors print the usage first and `aws: error: `. */
    readonly usage: boolean | 'argparse' = false,
  ) {
    super(message);
  }
}

export interface ConvertContext {
  readonly fs: VirtualFs;
  readonly binaryFormat: BinaryFormat;
}

/** Python's `repr` of a str, enough for error messages. */
const pyRepr = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

const PREFIXES = ['fileb://', 'file://'] as const;

/** Loads `file://` / `fileb://` values; others pass through. Returns bytes for fileb://. */
export function loadParamFile(
  cliName: string,
  value: string,
  fs: VirtualFs,
): { text: string } | { bytes: Uint8Array } {
  const prefix = PREFIXES.find((p) => value.startsWith(p));
  if (!prefix) return { text: value };
  const path = value.slice(prefix.length);
  const bytes = fs.read(path);
  if (bytes === undefined)
    throw new CliInputError(
      `Error parsing parameter '${cliName}': Unable to load paramfile ${value}: [Errno 2] No such file or directory: ${pyRepr(path)}`,
      255,
    );
  if (prefix === 'fileb://') return { bytes };
  const text = fromUtf8Strict(bytes);
  if (text === undefined)
    throw new CliInputError(
      `Error parsing parameter '${cliName}': Unable to load paramfile (${path}), text contents could not be decoded.  If this is a binary file, please use the fileb:// prefix instead of the file:// prefix.`,
      255,
    );
  return { text };
}

/** Collects botocore's validation messages. */
class Problems {
  readonly list: string[] = [];
  add(message: string) {
    this.list.push(message);
  }
}

const pyType = (v: unknown): string =>
  typeof v === 'string'
    ? "<class 'str'>"
    : typeof v === 'boolean'
      ? "<class 'bool'>"
      : typeof v === 'number'
        ? Number.isInteger(v)
          ? "<class 'int'>"
          : "<class 'float'>"
        : Array.isArray(v)
          ? "<class 'list'>"
          : v === null
            ? "<class 'NoneType'>"
            : "<class 'dict'>";

const VALID_TYPES: Record<Shape['type'], string> = {
  string: "<class 'str'>",
  integer: "<class 'int'>",
  boolean: "<class 'bool'>",
  blob: "<class 'bytes'>, <class 'bytearray'>, file-like object",
  timestamp: "<class 'datetime.datetime'>, <class 'str'>",
  list: "<class 'list'>, <class 'tuple'>",
  map: "<class 'dict'>",
  structure: "<class 'dict'>",
};

const pyStrOf = (v: unknown): string =>
  typeof v === 'string'
    ? v
    : typeof v === 'boolean'
      ? v
        ? 'True'
        : 'False'
      : v === null
        ? 'None'
        : JSON.stringify(v);

/** Decodes a blob given as text under the binary format in force. */
export function blobFromText(text: string, ctx: ConvertContext): Uint8Array {
  if (ctx.binaryFormat === 'raw-in-base64-out') return utf8(text);
  const bytes = fromBase64(text);
  if (!bytes) throw new CliInputError(`Invalid base64: "${text}"`, 255);
  return bytes;
}

/**
 * Converts a parsed (shorthand or JSON) value to the SDK shape at `path`, recording botocore's
 * validation problems. `fromShorthand`: scalars arrive as strings and a lone value stands for a
 * one-element list.
 */
function coerce(
  value: unknown,
  shape: Shape,
  path: string,
  ctx: ConvertContext,
  problems: Problems,
  fromShorthand: boolean,
): unknown {
  const invalidType = () => {
    problems.add(
      `Invalid type for parameter ${path}, value: ${pyStrOf(value)}, type: ${pyType(value)}, valid types: ${VALID_TYPES[shape.type]}`,
    );
    return undefined;
  };
  switch (shape.type) {
    case 'string':
      if (typeof value !== 'string') return invalidType();
      if (shape.min !== undefined && value.length < shape.min)
        problems.add(
          `Invalid length for parameter ${path}, value: ${value.length}, valid min length: ${shape.min}`,
        );
      return value;
    case 'integer': {
      let n: unknown = value;
      if (fromShorthand && typeof value === 'string') {
        if (!/^\s*[-+]?\d+\s*$/.test(value))
          throw new CliInputError(`invalid literal for int() with base 10: ${pyRepr(value)}`, 255);
        n = Number.parseInt(value, 10);
      }
      if (typeof n !== 'number' || !Number.isInteger(n)) return invalidType();
      if (shape.min !== undefined && n < shape.min)
        problems.add(`Invalid value for parameter ${path}, value: ${n}, valid min value: ${shape.min}`);
      return n;
    }
    case 'boolean':
      if (fromShorthand && typeof value === 'string') {
        if (value.toLowerCase() === 'true') return true;
        if (value.toLowerCase() === 'false') return false;
      }
      if (typeof value !== 'boolean') return invalidType();
      return value;
    case 'blob': {
      if (typeof value !== 'string') return invalidType();
      const bytes = blobFromText(value, ctx);
      if (shape.min !== undefined && bytes.length < shape.min)
        problems.add(
          `Invalid length for parameter ${path}, value: ${bytes.length}, valid min length: ${shape.min}`,
        );
      return bytes;
    }
    case 'timestamp': {
      if (typeof value !== 'string' && typeof value !== 'number') return invalidType();
      const d =
        typeof value === 'number' || /^\d+(\.\d+)?$/.test(value)
          ? new Date(Number(value) * 1000)
          : new Date(value);
      if (Number.isNaN(d.getTime())) throw new CliInputError(`Invalid timestamp value: ${value}`, 255);
      return d;
    }
    case 'list': {
      const items = Array.isArray(value) ? value : fromShorthand && value !== undefined ? [value] : undefined;
      if (!items) return invalidType();
      if (shape.min !== undefined && items.length < shape.min)
        problems.add(
          `Invalid length for parameter ${path}, value: ${items.length}, valid min length: ${shape.min}`,
        );
      return items.map((v, i) => coerce(v, shape.member, `${path}[${i}]`, ctx, problems, fromShorthand));
    }
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalidType();
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [
          k,
          coerce(v, shape.value, `${path}.${k}`, ctx, problems, fromShorthand),
        ]),
      );
    }
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalidType();
      const out: Record<string, unknown> = {};
      const record = value as Record<string, unknown>;
      for (const req of shape.required ?? [])
        if (!(req in record)) problems.add(`Missing required parameter in ${path}: "${req}"`);
      for (const [k, v] of Object.entries(record)) {
        const member = shape.members[k];
        if (!member) {
          problems.add(
            `Unknown parameter in ${path}: "${k}", must be one of: ${Object.keys(shape.members).join(', ')}`,
          );
          continue;
        }
        out[k] = coerce(v, member, path ? `${path}.${k}` : k, ctx, problems, fromShorthand);
      }
      return out;
    }
  }
}

function parseJson(cliName: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliInputError(
      `Error parsing parameter '${cliName}': Invalid JSON: ${(e as Error).message}\nJSON received: ${text}`,
      252,
    );
  }
}

function parseShorthandArg(cliName: string, text: string) {
  try {
    return parseShorthand(text);
  } catch (e) {
    if (e instanceof ShorthandParseError)
      throw new CliInputError(`Error parsing parameter '${cliName}': ${e.message}`, 252);
    throw e;
  }
}

const looksLikeJson = (s: string) => /^\s*[[{]/.test(s);

/** Splits a scalar list given as one shorthand value (`a,b`), honouring `\,`. */
const splitCsv = (s: string) =>
  s
    .split(/(?<!\\),/)
    .map((p) => p.replace(/\\,/g, ',').trim())
    .filter((p) => p !== '');

/** One top-level argument: its command-line values (paramfiles resolved) to the SDK value. */
export function convertArgument(
  arg: CliArgument,
  values: readonly string[],
  ctx: ConvertContext,
  problems: Problems,
): unknown {
  const shape = arg.shape;
  const loaded = values.map((v) => loadParamFile(arg.cliName, v, ctx.fs));
  const texts = () => loaded.map((l) => ('text' in l ? l.text : fromUtf8(l.bytes)));
  switch (shape.type) {
    case 'blob': {
      const l = loaded[0]!;
      const bytes = 'bytes' in l ? l.bytes : blobFromText(l.text, ctx);
      if (shape.min !== undefined && bytes.length < shape.min)
        problems.add(
          `Invalid length for parameter ${arg.member}, value: ${bytes.length}, valid min length: ${shape.min}`,
        );
      return bytes;
    }
    case 'string':
    case 'integer':
    case 'timestamp':
      return coerce(texts()[0], shape, arg.member, ctx, problems, true);
    case 'boolean':
      return coerce(texts()[0], shape, arg.member, ctx, problems, true);
    case 'list': {
      const t = texts();
      if (t.length === 1 && looksLikeJson(t[0]!))
        return coerce(parseJson(arg.cliName, t[0]!), shape, arg.member, ctx, problems, false);
      const member = shape.member;
      if (member.type === 'structure' || member.type === 'map' || member.type === 'list') {
        const items = t.map((v) =>
          looksLikeJson(v) ? parseJson(arg.cliName, v) : parseShorthandArg(arg.cliName, v),
        );
        return items.map((item, i) =>
          coerce(item, member, `${arg.member}[${i}]`, ctx, problems, !looksLikeJson(t[i]!)),
        );
      }
      const items = t.length === 1 ? splitCsv(t[0]!) : t;
      return coerce(items, shape, arg.member, ctx, problems, true);
    }
    case 'map':
    case 'structure': {
      const t = texts()[0]!;
      if (looksLikeJson(t)) return coerce(parseJson(arg.cliName, t), shape, arg.member, ctx, problems, false);
      return coerce(parseShorthandArg(arg.cliName, t), shape, arg.member, ctx, problems, true);
    }
  }
}

/** `--cli-input-json`: a whole input as JSON (blobs base64), checked like any other. */
export function convertInputJson(
  text: string,
  input: import('../kms/operations/shape.ts').StructureShape,
  ctx: ConvertContext,
  problems: Problems,
): Record<string, unknown> {
  const doc = parseJson('--cli-input-json', text);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new CliInputError('Invalid JSON received.', 252);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) {
    const member = input.members[k];
    if (!member) {
      problems.add(
        `Unknown parameter in input: "${k}", must be one of: ${Object.keys(input.members).join(', ')}`,
      );
      continue;
    }
    out[k] = coerce(v, member, k, ctx, problems, false);
  }
  return out;
}

export { Problems };

/** `--generate-cli-skeleton input`: the CLI's placeholder document for an input shape. */
export function skeleton(shape: Shape): unknown {
  switch (shape.type) {
    case 'string':
      return shape.enum?.[0] ?? '';
    case 'integer':
      return 0;
    case 'boolean':
      return true;
    case 'blob':
      return null;
    case 'timestamp':
      return '1970-01-01T00:00:00';
    case 'list':
      return [skeleton(shape.member)];
    case 'map':
      return { KeyName: skeleton(shape.value) };
    case 'structure':
      return Object.fromEntries(Object.entries(shape.members).map(([k, v]) => [k, skeleton(v)]));
  }
}
