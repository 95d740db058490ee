/**
 * The services the command line knows, their commands (kebab-case operation names, as botocore's
 * `xform_name` derives them) and each command's arguments, all from the engine's operation registry.
 */
import type { Kms } from '../kms/index.ts';
import { createRegistry } from '../kms/operations/index.ts';
import type { OperationSpec } from '../kms/operations/registry.ts';
import type { Shape, StructureShape } from '../kms/operations/shape.ts';
import { iamOperations } from '../kms/iam/operations.ts';
import { SERVICE_PREFIXES, serviceOperations, type ServiceName } from '../kms/services/index.ts';
import type { CallerContext } from '../kms/world/principal.ts';

/** `GenerateDataKeyWithoutPlaintext` → `generate-data-key-without-plaintext` (botocore's xform_name). */
export const kebab = (name: string): string =>
  name
    .replace(/(.)([A-Z][a-z]+)/g, '$1-$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();

/** A paginator, as botocore's paginators-1.json declares it. */
export interface Paginator {
  readonly inputToken: string;
  readonly outputToken: string;
  readonly moreResults?: string;
  readonly limitKey: string;
  readonly resultKey: string;
}

export interface CliArgument {
  /** `--key-id` */
  readonly cliName: string;
  /** `KeyId` */
  readonly member: string;
  readonly shape: Shape;
  readonly required: boolean;
  /** Accepted but left out of help (paginated commands' `--marker` / `--limit`). */
  readonly undocumented?: boolean;
}

export interface CliCommand {
  /** `encrypt` */
  readonly name: string;
  /** `Encrypt` (without the `iam:` / `s3:` … prefix) */
  readonly operation: string;
  readonly spec: OperationSpec;
  readonly input: StructureShape;
  readonly args: readonly CliArgument[];
  readonly paginator?: Paginator;
}

export interface CliService {
  /** `kms` */
  readonly name: string;
  readonly title: string;
  readonly commands: ReadonlyMap<string, CliCommand>;
  send(kms: Kms, operation: string, input: unknown, caller?: CallerContext): Promise<Record<string, unknown>>;
}

const kmsPager = (resultKey: string): Paginator => ({
  inputToken: 'Marker',
  outputToken: 'NextMarker',
  moreResults: 'Truncated',
  limitKey: 'Limit',
  resultKey,
});

/** botocore's KMS paginators. */
const KMS_PAGINATORS: Readonly<Record<string, Paginator>> = {
  ListAliases: kmsPager('Aliases'),
  ListGrants: kmsPager('Grants'),
  ListKeyPolicies: kmsPager('PolicyNames'),
  ListKeys: kmsPager('Keys'),
  ListKeyRotations: kmsPager('Rotations'),
  ListResourceTags: kmsPager('Tags'),
  ListRetirableGrants: kmsPager('Grants'),
  DescribeCustomKeyStores: kmsPager('CustomKeyStores'),
};

function command(spec: OperationSpec, paginator?: Paginator): CliCommand {
  const operation = spec.name.replace(/^[a-z0-9]+:/, '');
  const required = new Set(spec.input.required ?? []);
  const args = Object.entries(spec.input.members).map(([member, shape]) => ({
    cliName: `--${kebab(member)}`,
    member,
    shape,
    required: required.has(member),
    undocumented: paginator && (member === paginator.inputToken || member === paginator.limitKey),
  }));
  return { name: kebab(operation), operation, spec, input: spec.input, args, paginator };
}

const commandTable = (
  specs: readonly OperationSpec[],
  paginators: Readonly<Record<string, Paginator>> = {},
) =>
  new Map(
    specs
      .map((s) => command(s, paginators[s.name]))
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((c) => [c.name, c] as const),
  );

/** The simulated services that use KMS, as the CLI names them (`aws s3api put-object`). */
const SERVICE_COMMANDS: Readonly<Record<ServiceName, { readonly name: string; readonly title: string }>> = {
  s3: { name: 's3api', title: 'Amazon Simple Storage Service (simulated subset)' },
  ec2: { name: 'ec2', title: 'Amazon Elastic Compute Cloud: EBS volumes (simulated subset)' },
  ssm: { name: 'ssm', title: 'AWS Systems Manager Parameter Store (simulated subset)' },
  secretsmanager: { name: 'secretsmanager', title: 'AWS Secrets Manager (simulated subset)' },
  rds: { name: 'rds', title: 'Amazon Relational Database Service (simulated subset)' },
  redshift: { name: 'redshift', title: 'Amazon Redshift (simulated subset)' },
};

let cached: ReadonlyMap<string, CliService> | undefined;

/** The services of the command line: `kms`, the simulated `iam` and the services that use KMS. */
export function cliServices(): ReadonlyMap<string, CliService> {
  if (cached) return cached;
  const registry = createRegistry();
  const kms: CliService = {
    name: 'kms',
    title: 'AWS Key Management Service',
    commands: commandTable(
      registry.names().map((n) => registry.get(n)!),
      KMS_PAGINATORS,
    ),
    send: (k, op, input, caller) => k.send(op, input, caller),
  };
  const iam: CliService = {
    name: 'iam',
    title: 'AWS Identity and Access Management (simulated subset)',
    commands: commandTable(iamOperations),
    send: (k, op, input, caller) => k.iam(op, input, caller),
  };
  const services = SERVICE_PREFIXES.map((prefix): CliService => ({
    ...SERVICE_COMMANDS[prefix],
    commands: commandTable(serviceOperations.filter((o) => o.name.startsWith(`${prefix}:`))),
    send: (k, op, input, caller) => k.service(prefix, op, input, caller),
  }));
  cached = new Map(
    [iam, kms, ...services].sort((a, b) => (a.name < b.name ? -1 : 1)).map((s) => [s.name, s] as const),
  );
  return cached;
}

/** Finds a command's argument by its CLI name, `--no-` forms of booleans included. */
export function findArgument(
  cmd: CliCommand,
  cliName: string,
): { arg: CliArgument; negated: boolean } | undefined {
  const direct = cmd.args.find((a) => a.cliName === cliName);
  if (direct) return { arg: direct, negated: false };
  if (cliName.startsWith('--no-')) {
    const arg = cmd.args.find((a) => a.cliName === `--${cliName.slice(5)}` && a.shape.type === 'boolean');
    if (arg) return { arg, negated: true };
  }
  return undefined;
}
