import { Err } from '../errors.ts';
import type { Shape, StructureShape } from './shape.ts';

/**
 * Checks an input against its declared shape and raises exactly what AWS raises:
 * SerializationException for values of the wrong JSON type, ValidationException listing every
 * constraint violation (`1 validation error detected: Value '…' at '…' failed to satisfy constraint: …`).
 * Returns a copy holding only the declared members.
 */
export function validateInput(shape: StructureShape, input: unknown): Record<string, unknown> {
  if (input === undefined || input === null) input = {};
  const errors: string[] = [];
  const out = walk(shape, input, '', errors) as Record<string, unknown>;
  if (errors.length > 0) {
    const n = errors.length;
    throw Err.Validation(`${n} validation error${n === 1 ? '' : 's'} detected: ${errors.join('; ')}`);
  }
  return out;
}

const patterns = new Map<string, RegExp>();
function compiled(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (!re) patterns.set(pattern, (re = new RegExp(`^(?:${pattern})$`, 'u')));
  return re;
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const join = (path: string, member: string) => (path ? `${path}.${lowerFirst(member)}` : lowerFirst(member));

function typeName(v: unknown): string {
  if (Array.isArray(v)) return 'Start of list';
  if (v instanceof Uint8Array) return 'Blob';
  if (typeof v === 'object' && v !== null) return 'Start of structure or map';
  if (typeof v === 'number') return 'NUMBER_VALUE';
  if (typeof v === 'boolean') return 'BOOLEAN_VALUE';
  return 'STRING_VALUE';
}

function wrongType(v: unknown, expected: string): never {
  const found = typeName(v);
  if (found.startsWith('Start of')) throw Err.Serialization(`${found} found where not expected`);
  throw Err.Serialization(`${found} can not be converted to ${expected}`);
}

function show(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

function walk(shape: Shape, v: unknown, path: string, errors: string[]): unknown {
  switch (shape.type) {
    case 'structure': {
      if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array)
        wrongType(v, 'a Structure');
      const src = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members)) {
        const value = src[name];
        const p = join(path, name);
        if (value === undefined || value === null) {
          if (shape.required?.includes(name))
            errors.push(`Value null at '${p}' failed to satisfy constraint: Member must not be null`);
          continue;
        }
        out[name] = walk(member, value, p, errors);
      }
      return out;
    }
    case 'string': {
      if (typeof v !== 'string') wrongType(v, 'a String');
      const fail = (c: string) =>
        errors.push(
          `Value ${shape.sensitive ? '' : `'${v}' `}at '${path}' failed to satisfy constraint: ${c}`,
        );
      if (shape.enum && !shape.enum.includes(v))
        fail(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      if (shape.min !== undefined && v.length < shape.min)
        fail(`Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && v.length > shape.max)
        fail(`Member must have length less than or equal to ${shape.max}`);
      if (shape.pattern && v.length > 0 && !compiled(shape.pattern).test(v))
        fail(`Member must satisfy regular expression pattern: ${shape.pattern}`);
      return v;
    }
    case 'integer': {
      if (typeof v !== 'number' || !Number.isInteger(v)) wrongType(v, 'an Integer');
      if (shape.min !== undefined && v < shape.min)
        errors.push(
          `Value '${v}' at '${path}' failed to satisfy constraint: Member must have value greater than or equal to ${shape.min}`,
        );
      if (shape.max !== undefined && v > shape.max)
        errors.push(
          `Value '${v}' at '${path}' failed to satisfy constraint: Member must have value less than or equal to ${shape.max}`,
        );
      return v;
    }
    case 'boolean':
      if (typeof v !== 'boolean') wrongType(v, 'a Boolean');
      return v;
    case 'blob': {
      if (!(v instanceof Uint8Array)) wrongType(v, 'a Blob');
      // AWS never echoes blob values in validation messages.
      if (v.length < (shape.min ?? 0))
        errors.push(
          `Value at '${path}' failed to satisfy constraint: Member must have length greater than or equal to ${shape.min}`,
        );
      if (shape.max !== undefined && v.length > shape.max)
        errors.push(
          `Value at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${shape.max}`,
        );
      return v;
    }
    case 'timestamp':
      if (!(v instanceof Date) || Number.isNaN(v.getTime())) wrongType(v, 'a Timestamp');
      return v;
    case 'list': {
      if (!Array.isArray(v)) wrongType(v, 'a List');
      if (shape.min !== undefined && v.length < shape.min)
        errors.push(
          `Value '${show(v)}' at '${path}' failed to satisfy constraint: Member must have length greater than or equal to ${shape.min}`,
        );
      if (shape.max !== undefined && v.length > shape.max)
        errors.push(
          `Value '${show(v)}' at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${shape.max}`,
        );
      return v.map((item, i) => walk(shape.member, item, `${path}.${i + 1}.member`, errors));
    }
    case 'map': {
      if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array)
        wrongType(v, 'a Map');
      const out: Record<string, unknown> = {};
      for (const [k, value] of Object.entries(v as Record<string, unknown>)) {
        if (value === null || value === undefined) continue;
        out[k] = walk(shape.value, value, path, errors);
      }
      return out;
    }
  }
}
