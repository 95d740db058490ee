import { Err } from '../errors.ts';
import type { Shape, StructureShape } from '../operations/shape.ts';
import { decodeBase64, encodeBase64 } from './base64.ts';

/**
 * AWS JSON 1.1 value mapping. On the wire blobs are base64 strings and timestamps are epoch
 * seconds (with a fraction); the engine speaks the `@aws-sdk/client-kms` shapes (Uint8Array, Date).
 * Decoding walks the operation's declared input shape; anything of the wrong JSON type is left as
 * is for the engine's validation to report (SerializationException), so the messages are the same
 * whichever client called.
 */
export function decodeInput(shape: StructureShape, value: unknown): unknown {
  return decode(shape, value, '');
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function decode(shape: Shape, v: unknown, path: string): unknown {
  switch (shape.type) {
    case 'structure': {
      if (!isPlainObject(v)) return v;
      const out: Record<string, unknown> = { ...v };
      for (const [name, member] of Object.entries(shape.members))
        if (out[name] !== undefined && out[name] !== null)
          out[name] = decode(member, out[name], path ? `${path}.${lowerFirst(name)}` : lowerFirst(name));
      return out;
    }
    case 'list':
      return Array.isArray(v) ? v.map((item, i) => decode(shape.member, item, `${path}.${i + 1}.member`)) : v;
    case 'map': {
      if (!isPlainObject(v)) return v;
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) out[k] = decode(shape.value, item, path);
      return out;
    }
    case 'blob': {
      if (typeof v !== 'string') return v;
      const bytes = decodeBase64(v);
      // The service's own wording is unknown (unverified); the exception name is AWS's.
      if (!bytes) throw Err.Serialization(`Value at '${path}' is not valid base64`);
      return bytes;
    }
    case 'timestamp':
      return typeof v === 'number' && Number.isFinite(v) ? new Date(Math.round(v * 1000)) : v;
    default:
      return v;
  }
}

/** Turns an engine output into its JSON form: Uint8Array → base64, Date → epoch seconds. */
export function encodeOutput(value: unknown): unknown {
  if (value instanceof Uint8Array) return encodeBase64(value);
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(encodeOutput);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encodeOutput(v);
    return out;
  }
  return value;
}
