/**
 * Input shapes as data, in the terms of the KMS service model: each operation declares its
 * members once, and the same declaration drives validation, the wire codec and the docs.
 */
export type Shape =
  | StringShape
  | { readonly type: 'integer'; readonly min?: number; readonly max?: number }
  | { readonly type: 'boolean' }
  | { readonly type: 'blob'; readonly min?: number; readonly max?: number; readonly sensitive?: boolean }
  | { readonly type: 'timestamp' }
  | { readonly type: 'list'; readonly member: Shape; readonly min?: number; readonly max?: number }
  | { readonly type: 'map'; readonly value: Shape }
  | StructureShape;

export interface StringShape {
  readonly type: 'string';
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
  readonly sensitive?: boolean;
}

export interface StructureShape {
  readonly type: 'structure';
  readonly members: Readonly<Record<string, Shape>>;
  readonly required?: readonly string[];
}

/** Shorthands, named for the model's shared types. */
export const S = {
  str: (min?: number, max?: number, pattern?: string): StringShape => ({ type: 'string', min, max, pattern }),
  enum: (values: readonly string[]): StringShape => ({ type: 'string', enum: values }),
  int: (min?: number, max?: number) => ({ type: 'integer', min, max }) as const,
  bool: { type: 'boolean' } as const,
  blob: (min: number, max: number, sensitive = false) => ({ type: 'blob', min, max, sensitive }) as const,
  timestamp: { type: 'timestamp' } as const,
  list: (member: Shape, min?: number, max?: number) => ({ type: 'list', member, min, max }) as const,
  map: (value: Shape) => ({ type: 'map', value }) as const,
  struct: (members: Record<string, Shape>, required: string[] = []): StructureShape => ({
    type: 'structure',
    members,
    required,
  }),
  keyId: { type: 'string', min: 1, max: 2048 } as StringShape,
  grantTokens: { type: 'list', member: { type: 'string', min: 1, max: 8192 }, min: 0, max: 10 } as Shape,
  encryptionContext: { type: 'map', value: { type: 'string' } } as Shape,
  limit: { type: 'integer', min: 1, max: 1000 } as Shape,
  marker: { type: 'string', min: 1, max: 1024, pattern: '[\\u0020-\\u00FF]*' } as StringShape,
  tags: {
    type: 'list',
    member: {
      type: 'structure',
      members: {
        TagKey: { type: 'string', min: 1, max: 128 },
        TagValue: { type: 'string', min: 0, max: 256 },
      },
      required: ['TagKey', 'TagValue'],
    },
  } as Shape,
  policy: {
    type: 'string',
    min: 1,
    max: 131072,
    pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+',
  } as StringShape,
  aliasName: { type: 'string', min: 1, max: 256, pattern: '^[a-zA-Z0-9:/_-]+$' } as StringShape,
} as const;
