/**
 * The services the command line knows, their commands (kebab-case operation names, as botocore's
 * `xform_name` derives them) and each command's arguments, all from the engine's operation registry.
 */
import type { Kms } from '../kms/index.ts';
import { createRegistry } from '../kms/operations/index.ts';
import type { OperationSpec } from '../kms/operations/registry.ts';
import type { Shape, StructureShape } from '../kms/operations/shape.ts';
import { iamOperations } from '../kms/iam/operations.ts';
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
  /** `Encrypt` (without the `iam:` prefix) */
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
  const operation = spec.name.replace(/^iam:/, '');
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

let cached: ReadonlyMap<string, CliService> | undefined;

/** The services of the command line: `kms` and the simulated `iam`. */
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
  cached = new Map([
    ['iam', iam],
    ['kms', kms],
  ]);
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
