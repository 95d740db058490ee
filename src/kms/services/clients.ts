/**
 * SDK-shaped clients for the simulated services, for scripts (issue 9): one object per service with
 * one lowerCamelCase method per operation of the registry (`s3:PutObject` → `s3.putObject({ … })`,
 * `rds:CreateDBInstance` → `rds.createDBInstance({ … })`), each a call through `call`:
 *
 * ```ts
 * const { s3, ec2, rds } = createServiceClients((op, input) => kms.send(op, input, caller));
 * await s3.putObject({ Bucket: 'b', Key: 'k', Body: bytes });
 * ```
 * {@link serviceClientDeclarations} gives the matching TypeScript declarations for an editor.
 */
import type { OperationSpec } from '../operations/registry.ts';
import type { Shape } from '../operations/shape.ts';
import { serviceOperations, type ServiceName } from './index.ts';

/** Sends one service operation (`s3:PutObject`) with SDK-shaped input. */
export type ServiceCall = (operation: string, input: unknown) => Promise<Record<string, unknown>>;

export type ServiceMethod = (input?: Record<string, unknown>) => Promise<Record<string, unknown>>;
export type ServiceClient = Readonly<Record<string, ServiceMethod>>;

/** The client variable of each service prefix, as the AWS SDK names the service. */
export const SERVICE_CLIENTS = {
  s3: 's3',
  ec2: 'ec2',
  ssm: 'ssm',
  secretsmanager: 'secretsManager',
  rds: 'rds',
  redshift: 'redshift',
} as const satisfies Record<ServiceName, string>;

export type ServiceClientName = (typeof SERVICE_CLIENTS)[ServiceName];
export type ServiceClients = { readonly [K in ServiceClientName]: ServiceClient };

/** `PutObject` → `putObject`, `CreateDBInstance` → `createDBInstance` (SDK v2 method names). */
export const methodName = (action: string): string => action[0]!.toLowerCase() + action.slice(1);

const split = (name: string) => {
  const i = name.indexOf(':');
  return { prefix: name.slice(0, i) as ServiceName, action: name.slice(i + 1) };
};

/** One client per service, its methods generated from the registry's service operations. */
export function createServiceClients(
  call: ServiceCall,
  operations: readonly Pick<OperationSpec, 'name'>[] = serviceOperations,
): ServiceClients {
  const clients: Record<string, Record<string, ServiceMethod>> = Object.fromEntries(
    Object.values(SERVICE_CLIENTS).map((c) => [c, {}]),
  );
  for (const { name } of operations) {
    const { prefix, action } = split(name);
    const client = clients[SERVICE_CLIENTS[prefix]];
    if (!client) continue;
    client[methodName(action)] = (input = {}) => call(name, input);
  }
  return Object.fromEntries(
    Object.entries(clients).map(([k, v]) => [k, Object.freeze(v)]),
  ) as unknown as ServiceClients;
}

/** A TypeScript type for a shape (inputs: blobs as bytes or strings, timestamps as Date). */
function tsType(shape: Shape, indent: string): string {
  switch (shape.type) {
    case 'structure': {
      const required = new Set(shape.required ?? []);
      const inner = `${indent}  `;
      const members = Object.entries(shape.members).map(
        ([k, v]) => `${inner}${k}${required.has(k) ? '' : '?'}: ${tsType(v, inner)};`,
      );
      return members.length ? `{\n${members.join('\n')}\n${indent}}` : 'Record<string, never>';
    }
    case 'list':
      return `Array<${tsType(shape.member, indent)}>`;
    case 'map':
      return `Record<string, ${tsType(shape.value, indent)}>`;
    case 'string':
      return shape.enum ? shape.enum.map((e) => JSON.stringify(e)).join(' | ') : 'string';
    case 'blob':
      return 'Uint8Array | string';
    case 'timestamp':
      return 'Date | number';
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
  }
}

/** Ambient declarations of the clients (`declare const s3: { putObject(input: {…}): Promise<…> }`). */
export function serviceClientDeclarations(operations: readonly OperationSpec[] = serviceOperations): string {
  const byClient = new Map<string, string[]>();
  for (const op of operations) {
    const { prefix, action } = split(op.name);
    const client = SERVICE_CLIENTS[prefix];
    if (!client) continue;
    const optional = !(op.input.required ?? []).length;
    const list = byClient.get(client) ?? [];
    list.push(
      `  ${methodName(action)}(input${optional ? '?' : ''}: ${tsType(op.input, '  ')}): Promise<Record<string, any>>;`,
    );
    byClient.set(client, list);
  }
  return [...byClient]
    .map(([client, methods]) => `declare const ${client}: {\n${methods.join('\n')}\n};\n`)
    .join('\n');
}
