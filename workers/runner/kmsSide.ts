/**
 * What the KMS worker adds for the command line and the scratchpad: one shell session per
 * workspace (a virtual file system the learner uploads into, kept in the workspace's desk — see
 * ../desk.ts — and shell variables, kept for the page's life), completion, and the
 * ambient `.d.ts` the scratchpad's editor gets for `@aws-sdk/client-kms`, generated from the same
 * operation registry the engine runs.
 */
import {
  cliServices,
  completeAt,
  MemoryFs,
  runCli,
  type Completion,
  type VirtualFs,
} from '../../src/cli/index.ts';
import type { CallerContext, Kms } from '../../src/kms/index.ts';
import type { Shape } from '../../src/kms/operations/shape.ts';
import type { OperationFamily } from '../../src/kms/operations/registry.ts';
import { iamOperations } from '../../src/kms/iam/operations.ts';
import { cloudHsmOperations } from '../../src/kms/cloudhsm/operations.ts';
import { CLOUDHSM_FAULTS, cloudHsmLabOperations } from '../../src/kms/cloudhsm/labOperations.ts';
import { XKS_FAULTS } from '../../src/kms/xks/labOperations.ts';
import type { WorldSpec } from './protocol.ts';
import { deskFileName, deskFiles, fileLimitProblem, saveDeskFiles, type DeskFile } from '../desk.ts';

/** A command line's outcome as the terminal prints it. */
export interface CliLineResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
  /** Operations the line called, in order. */
  readonly operations: readonly string[];
}

export interface VirtualFile {
  readonly path: string;
  readonly size: number;
}

export { MAX_DESK_BYTES, MAX_FILE_BYTES } from '../desk.ts';

/** A write the workspace's files cannot take (too large, no space left, a bad name). */
class DeskFullError extends Error {}

/**
 * The shell's virtual disk: in memory for the CLI, every write checked against the desk's limits
 * and remembered so the session can store it in the workspace's desk after the line ran.
 */
class DeskFs implements VirtualFs {
  readonly #files = new MemoryFs();
  /** Paths written since the last {@link takeWritten}. */
  readonly #written = new Set<string>();

  constructor(files: readonly DeskFile[]) {
    for (const f of files) this.#files.write(f.path, f.bytes);
  }

  read(path: string): Uint8Array | undefined {
    return this.#files.read(path);
  }

  list(): string[] {
    return this.#files.list();
  }

  sizes(): Map<string, number> {
    return new Map(this.#files.list().map((p) => [p, this.#files.read(p)?.length ?? 0]));
  }

  /** Throws a {@link DeskFullError} when the file may not be stored; the CLI stops there. */
  write(path: string, bytes: Uint8Array): void {
    const name = deskFileName(path);
    if ('error' in name) throw new DeskFullError(`bash: ${name.error}`);
    const problem = fileLimitProblem(name.name, bytes.length, this.sizes());
    if (problem) throw new DeskFullError(`bash: ${problem}`);
    this.#files.write(name.name, bytes);
    this.#written.add(name.name);
  }

  /** The files written since last asked, to store. */
  takeWritten(): DeskFile[] {
    const out = [...this.#written].flatMap((path) => {
      const bytes = this.#files.read(path);
      return bytes ? [{ path, bytes }] : [];
    });
    this.#written.clear();
    return out;
  }
}

interface Session {
  readonly fs: DeskFs;
  readonly env: Record<string, string>;
}

/** Shell sessions by workspace; the files come from the workspace's desk when a session starts. */
const sessions = new Map<string, Promise<Session>>();

function session(workspace: string): Promise<Session> {
  let s = sessions.get(workspace);
  if (!s) {
    s = deskFiles(workspace).then((files) => ({ fs: new DeskFs(files), env: {} }));
    sessions.set(workspace, s);
    s.catch(() => sessions.delete(workspace));
  }
  return s;
}

/** Forgets a workspace's session (its desk was replaced or deleted): the next line starts afresh. */
export function dropSession(workspace: string): void {
  sessions.delete(workspace);
}

/** Stores the files a line wrote; a failure is reported on stderr (the files stay for the session). */
async function storeWritten(workspace: string, fs: DeskFs): Promise<string> {
  const written = fs.takeWritten();
  try {
    await saveDeskFiles(workspace, written);
    return '';
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return `bash: ${written.map((f) => f.path).join(', ')} could not be kept with the workspace: ${why}\n`;
  }
}

export async function runCliLine(
  kms: Kms,
  workspace: string,
  line: string,
  caller: CallerContext,
): Promise<CliLineResult> {
  const s = await session(workspace);
  let r: Awaited<ReturnType<typeof runCli>>;
  try {
    r = await runCli(line, {
      kms,
      fs: s.fs,
      caller,
      defaultRegion: caller.region,
      env: s.env,
      columns: 100,
    });
  } catch (e) {
    if (!(e instanceof DeskFullError)) throw e;
    const stored = await storeWritten(workspace, s.fs);
    return { stdout: '', stderr: `${e.message}\n${stored}`, exitCode: 1, operations: [] };
  }
  const stored = await storeWritten(workspace, s.fs);
  return {
    stdout: r.stdout,
    stderr: r.stderr + stored,
    exitCode: stored && !r.exitCode ? 1 : r.exitCode,
    operations: r.calls.map((c) => c.operation),
  };
}

export async function completeCliLine(
  kms: Kms,
  workspace: string,
  line: string,
  region: string,
): Promise<Completion> {
  return completeAt(line, { kms, fs: (await session(workspace)).fs, region });
}

/** Puts an uploaded file into the workspace's files (stored with the workspace before it is there). */
export async function putFile(workspace: string, path: string, bytes: Uint8Array): Promise<VirtualFile> {
  const name = deskFileName(path.trim().replace(/^\.?\/+/, ''));
  if ('error' in name) throw new Error(`"${path}" is not a valid file name.`);
  const s = await session(workspace);
  const problem = fileLimitProblem(name.name, bytes.length, s.fs.sizes());
  if (problem) throw new Error(problem);
  await saveDeskFiles(workspace, [{ path: name.name, bytes }]);
  s.fs.write(name.name, bytes);
  s.fs.takeWritten();
  return { path: name.name, size: bytes.length };
}

export async function listFiles(workspace: string): Promise<VirtualFile[]> {
  const fs = (await session(workspace)).fs;
  return fs
    .list()
    .sort()
    .map((path) => ({ path, size: fs.read(path)?.length ?? 0 }));
}

/* ------------------------------------------------------------------------------------------ */
/* The ambient declarations for the scratchpad editor                                          */
/* ------------------------------------------------------------------------------------------ */

const camel = (op: string) => op[0]!.toLowerCase() + op.slice(1);

function typeOf(shape: Shape, indent: string): string {
  switch (shape.type) {
    case 'string':
      return shape.enum?.length ? shape.enum.map((v) => JSON.stringify(v)).join(' | ') : 'string';
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'blob':
      return 'Uint8Array';
    case 'timestamp':
      return 'Date';
    case 'list': {
      const m = typeOf(shape.member, indent);
      return m.includes('|') ? `(${m})[]` : `${m}[]`;
    }
    case 'map':
      return `Record<string, ${typeOf(shape.value, indent)}>`;
    case 'structure':
      return structBody(shape.members, shape.required ?? [], indent);
  }
}

function docOf(shape: Shape, required: boolean): string {
  const bits: string[] = [required ? 'Required.' : 'Optional.'];
  if (shape.type === 'string' || shape.type === 'blob' || shape.type === 'list') {
    if (shape.min !== undefined && shape.max !== undefined) bits.push(`Length ${shape.min}–${shape.max}.`);
    else if (shape.max !== undefined) bits.push(`At most ${shape.max}.`);
  }
  if (shape.type === 'integer' && (shape.min !== undefined || shape.max !== undefined))
    bits.push(`Range ${shape.min ?? '…'}–${shape.max ?? '…'}.`);
  if (shape.type === 'blob' && shape.sensitive) bits.push('Sensitive.');
  return bits.join(' ');
}

function structBody(
  members: Readonly<Record<string, Shape>>,
  required: readonly string[],
  indent: string,
): string {
  const inner = indent + '  ';
  const lines = Object.entries(members).map(([name, shape]) => {
    const req = required.includes(name);
    return `${inner}/** ${docOf(shape, req)} */\n${inner}${name}${req ? '' : '?'}: ${typeOf(shape, inner)};`;
  });
  return `{\n${lines.join('\n')}\n${indent}}`;
}

/** `declare module '@aws-sdk/client-kms'` for every KMS operation the engine implements, plus the lab's globals. */
export function sdkDeclarations(): string {
  const kms = cliServices().get('kms')!;
  const ops = [...kms.commands.values()].map((c) => ({ name: c.operation, input: c.input, cli: c.name }));
  const out: string[] = [];
  out.push(`declare module '@aws-sdk/client-kms' {`);
  out.push(
    `  export interface ResponseMetadata { httpStatusCode?: number; requestId?: string; attempts?: number }`,
  );
  out.push(
    `  /** What KMS returns; the fields depend on the operation (see the AWS KMS API reference). */\n` +
      `  export interface KmsOutput {\n    $metadata: ResponseMetadata;\n    KeyId?: string;\n    CiphertextBlob?: Uint8Array;\n    Plaintext?: Uint8Array;\n    KeyMetadata?: KeyMetadata;\n    Signature?: Uint8Array;\n    SignatureValid?: boolean;\n    Mac?: Uint8Array;\n    MacValid?: boolean;\n    PublicKey?: Uint8Array;\n    GrantId?: string;\n    GrantToken?: string;\n    ImportToken?: Uint8Array;\n    ParametersValidTo?: Date;\n    Keys?: { KeyId?: string; KeyArn?: string }[];\n    Aliases?: { AliasName?: string; AliasArn?: string; TargetKeyId?: string }[];\n    Policy?: string;\n    NextMarker?: string;\n    Truncated?: boolean;\n    [field: string]: unknown;\n  }`,
  );
  out.push(
    `  export interface KeyMetadata {\n    KeyId: string;\n    Arn?: string;\n    AWSAccountId?: string;\n    CreationDate?: Date;\n    Enabled?: boolean;\n    Description?: string;\n    KeyUsage?: string;\n    KeyState?: string;\n    DeletionDate?: Date;\n    Origin?: string;\n    KeyManager?: string;\n    KeySpec?: string;\n    MultiRegion?: boolean;\n    MultiRegionConfiguration?: { MultiRegionKeyType?: 'PRIMARY' | 'REPLICA'; PrimaryKey?: { Arn?: string; Region?: string }; ReplicaKeys?: { Arn?: string; Region?: string }[] };\n    [field: string]: unknown;\n  }`,
  );
  out.push(
    `  export interface KMSClientConfig {\n    /** The Region whose KMS endpoint to call, e.g. 'us-east-1'. Default: the lab's Region. */\n    region?: string;\n    credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };\n    maxAttempts?: number;\n    [option: string]: unknown;\n  }`,
  );
  out.push(
    `  /** An AWS service exception: \`name\` is the exception (e.g. 'AccessDeniedException'). */\n  export class KMSServiceException extends Error {\n    readonly $fault: 'client' | 'server';\n    readonly $metadata: ResponseMetadata;\n  }`,
  );
  for (const e of EXCEPTIONS) out.push(`  export class ${e} extends KMSServiceException {}`);
  out.push(`  export abstract class Command<I, O> { readonly input: I; }`);
  for (const op of ops) {
    out.push(`  /** Input of ${op.name} (\`aws kms ${op.cli}\`). */`);
    out.push(`  export interface ${op.name}CommandInput ${typeOf(op.input, '  ')}`);
    out.push(`  export type ${op.name}CommandOutput = KmsOutput;`);
    out.push(
      `  /** Calls KMS ${op.name}. Send it with \`client.send(new ${op.name}Command({ … }))\`. */\n` +
        `  export class ${op.name}Command extends Command<${op.name}CommandInput, ${op.name}CommandOutput> {\n    constructor(input: ${op.name}CommandInput);\n  }`,
    );
  }
  out.push(
    `  export class KMSClient {\n    constructor(config?: KMSClientConfig);\n    readonly config: { region: () => Promise<string> };\n    send<I, O>(command: Command<I, O>): Promise<O>;\n    destroy(): void;\n  }`,
  );
  out.push(`  /** The aggregated client: one method per operation (\`await kms.encrypt({ … })\`). */`);
  out.push(`  export class KMS extends KMSClient {`);
  for (const op of ops)
    out.push(
      `    /** KMS ${op.name} (\`aws kms ${op.cli}\`). */\n    ${camel(op.name)}(input: ${op.name}CommandInput): Promise<${op.name}CommandOutput>;`,
    );
  out.push(`  }`);
  out.push(`}`);
  out.push(LAB_GLOBALS);
  return out.join('\n');
}

const EXCEPTIONS = [
  'AccessDeniedException',
  'AlreadyExistsException',
  'DisabledException',
  'IncorrectKeyException',
  'InvalidCiphertextException',
  'InvalidGrantTokenException',
  'InvalidKeyUsageException',
  'KMSInternalException',
  'KMSInvalidStateException',
  'KMSInvalidSignatureException',
  'LimitExceededException',
  'MalformedPolicyDocumentException',
  'NotFoundException',
  'UnsupportedOperationException',
  'ValidationException',
];

const LAB_GLOBALS = `
/** A ready aggregated client: the lab's Region, acting as the principal picked in the top bar. */
declare const kms: import('@aws-sdk/client-kms').KMS;
/** The simulated world around the script. */
declare const lab: LabWorldClients & {
  /** The Region the top bar shows (the default for new clients). */
  readonly region: string;
  /** The ARN of the principal the script acts as by default. */
  readonly principal: string;
  /** Principals you can act as: each account's root user and its IAM users and roles (ARNs). */
  readonly principals: readonly string[];
  /**
   * An aggregated client acting as another principal (an ARN from \`lab.principals\`, or an
   * account ID for its root user) and/or in another Region.
   */
  as(who: { principal?: string; region?: string }): import('@aws-sdk/client-kms').KMS & LabWorldClients;
  /** The simulated clock (the world's time, which scheduled deletions and rotations follow). */
  readonly clock: LabClock;
  /** Bytes as base64; and back. */
  toBase64(bytes: Uint8Array): string;
  fromBase64(text: string): Uint8Array;
  /** UTF-8 text to bytes and back. */
  utf8(text: string): Uint8Array;
  text(bytes: Uint8Array): string;
};
`;

/* ------------------------------------------------------------------------------------------ */
/* The simulated world around KMS, for scripts (`lab.iam`, `lab.cloudHsm`, `lab.fault`, …)     */
/* ------------------------------------------------------------------------------------------ */

const opsOf = (family: OperationFamily) =>
  family.map((o) => ({ op: o.name.slice(o.name.indexOf(':') + 1), input: o.input }));

/** The world operations scripts reach through `lab`: method → operation per family, and the faults. */
export function worldSpec(): WorldSpec {
  const methods = (family: OperationFamily) =>
    Object.fromEntries(opsOf(family).map(({ op }) => [camel(op), op]));
  return {
    iam: methods(iamOperations),
    cloudHsm: methods(cloudHsmOperations),
    lab: methods(cloudHsmLabOperations),
    faults: [...CLOUDHSM_FAULTS, ...XKS_FAULTS],
  };
}

/** Declarations of `lab.clock`, `lab.iam`, `lab.cloudHsm`, `lab.fault` and `lab.control`. */
export function worldDeclarations(): string {
  const faults = new Set<string>([...CLOUDHSM_FAULTS, ...XKS_FAULTS]);
  const client = (family: OperationFamily, what: string, only?: (op: string) => boolean) =>
    opsOf(family)
      .filter(({ op }) => !only || only(op))
      .map(
        ({ op, input }) =>
          `  /** ${what} ${op}. */\n  ${camel(op)}(input${input.required?.length ? '' : '?'}: ${typeOf(input, '  ')}): Promise<LabWorldOutput>;`,
      )
      .join('\n');
  const labOps = opsOf(cloudHsmLabOperations).map(({ op }) => JSON.stringify(op));
  return `
/** What a world call returns: the operation's output (as in the AWS API reference) and the request's metadata. */
interface LabWorldOutput {
  $metadata: { httpStatusCode?: number; requestId?: string };
  [field: string]: any;
}
/** The simulated clock. */
interface LabClock {
  /** The world's time now. */
  now(): Promise<Date>;
  /** Moves the world's time forward (seconds); due deletions, rotations and expiries happen on the way. */
  advance(seconds: number): Promise<{ now: Date; fired: unknown[] }>;
  /** Moves the world's time forward by whole or fractional days. */
  advanceDays(days: number): Promise<{ now: Date; fired: unknown[] }>;
}
/** The simulated IAM API, in the acting principal's account (\`await lab.iam.createUser({ UserName: 'alice' })\`). */
interface LabIam {
${client(iamOperations, 'IAM')}
}
/** The simulated AWS CloudHSM v2 API, in the acting principal's account and Region. */
interface LabCloudHsm {
${client(cloudHsmOperations, 'CloudHSM')}
}
/** Faults to inject (run as the acting account's root in its Region; no CloudTrail record). */
interface LabFaults {
${client(cloudHsmLabOperations, 'Fault', (op) => faults.has(op))}
}
/** A lab control's name: cluster set-up (\`ActivateCluster\`, …) or a fault. */
type LabControlName = ${labOps.join(' | ')};
/** The world around KMS, acting as the client's principal in its Region. Errors throw like SDK errors (\`name\` is AWS's code). */
interface LabWorldClients {
  readonly iam: LabIam;
  readonly cloudHsm: LabCloudHsm;
  readonly fault: LabFaults;
  /** Runs any lab control by name, e.g. \`lab.control('ActivateCluster', { ClusterId })\`. */
  control(name: LabControlName, input?: Record<string, unknown>): Promise<LabWorldOutput>;
}
`;
}
