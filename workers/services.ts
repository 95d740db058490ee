/**
 * The simulated AWS services that use KMS (S3, Secrets Manager, EBS, …) as the page and scripts
 * reach them: a service call checked and shaped as the SDKs send it, and the SDK-shaped clients
 * scripts get, with their typings.
 */
import type { Kms } from '../src/kms/index.ts';
import { SERVICE_PREFIXES, serviceOperations, type ServiceName } from '../src/kms/services/index.ts';
import { methodName, SERVICE_CLIENTS, serviceClientDeclarations } from '../src/kms/services/clients.ts';
import { callerContext, tracked, type CallerInput, type CallResult } from './calls.ts';

/** A simulated service's SDK client for scripts: its variable, API prefix and methods. */
export interface ServiceClientInfo {
  /** The script's variable (`s3`, `secretsManager`). */
  readonly client: string;
  /** The API prefix (`s3`, `secretsmanager`). */
  readonly service: string;
  /** Method (`putObject`) → operation (`PutObject`). */
  readonly methods: Readonly<Record<string, string>>;
}

/**
 * Calls a simulated service (`s3`, `PutObject`, { … }) as the caller; the service calls KMS on the
 * caller's behalf. Never rejects for an AWS error; an operation the lab does not simulate is one.
 * Text given for a blob member at the top level (`Body`, `SecretBinary`) is sent as its UTF-8
 * bytes, as the SDKs do.
 */
export async function callService(
  kms: Kms,
  service: string,
  operation: string,
  input: Record<string, unknown>,
  caller: CallerInput,
): Promise<CallResult> {
  const name = `${service}:${operation}`;
  const spec = serviceOperations.find((s) => s.name === name);
  if (!(SERVICE_PREFIXES as readonly string[]).includes(service) || !spec)
    return {
      ok: false as const,
      error: { code: 'UnknownOperationException', message: `The lab simulates no ${name}.` },
    };
  const body: Record<string, unknown> =
    input && typeof input === 'object' && !Array.isArray(input) ? { ...input } : {};
  for (const [k, shape] of Object.entries(spec.input.members))
    if (shape.type === 'blob' && typeof body[k] === 'string')
      body[k] = new TextEncoder().encode(body[k] as string);
  return tracked(name, body, () =>
    kms.service(service as ServiceName, operation, body, callerContext(caller)),
  );
}

/** The SDK-shaped clients scripts get (`s3.putObject`, `ec2.createVolume`, …). */
export function serviceClients(): ServiceClientInfo[] {
  return SERVICE_PREFIXES.map((service) => ({
    client: SERVICE_CLIENTS[service],
    service,
    methods: Object.fromEntries(
      serviceOperations
        .filter((s) => s.name.startsWith(`${service}:`))
        .map((s) => {
          const action = s.name.slice(service.length + 1);
          return [methodName(action), action];
        }),
    ),
  }));
}

const SERVICE_GLOBALS = `
/*
 * SDK-shaped clients of the simulated AWS services that use KMS, acting like \`kms\` (the lab's
 * Region and principal): \`await s3.putObject({ Bucket, Key, Body: 'text' })\`. Each service calls
 * KMS on your behalf (kms:ViaService), so you need both its permission and the KMS key's.
 */
`;

/** The scratchpad editor's declarations of the service clients, with a word on what they are. */
export function serviceClientTypings(): string {
  return `${SERVICE_GLOBALS}${serviceClientDeclarations()}`;
}
