import type { KmsError } from '../errors.ts';
import type { KeyUsage } from '../model/enums.ts';
import type { KeyRecord } from '../model/key.ts';
import type { StateRule } from '../model/keyState.ts';
import type { CallContext } from './context.ts';
import type { StructureShape } from './shape.ts';

/**
 * How an operation finds a key it acts on. The pipeline resolves every target, authorizes it,
 * applies its state rule and usage check, all before the handler runs.
 */
export interface KeyTarget {
  /** Name under which the handler finds the resolved key (`ctx.keys[role]`). */
  readonly role: string;
  /** Input member holding the key reference. */
  readonly field?: string;
  /** 'A': key ID, key ARN, alias name, alias ARN. 'K': key ID or key ARN only. */
  readonly forms: 'A' | 'K';
  /** When the member may be absent (e.g. ListAliases' filter). */
  readonly optional?: boolean;
  /** Custom resolution (Decrypt reads the key from the ciphertext). */
  readonly resolve?: (ctx: CallContext) => KeyRecord;
  readonly state: StateRule;
  /** Key usages this operation accepts; others get InvalidKeyUsageException. */
  readonly usage?: readonly KeyUsage[];
  /** IAM action authorized against this key, when it differs from the operation's. */
  readonly action?: string;
  /** AWS managed keys refuse customer management. */
  readonly customerManagedOnly?: boolean;
}

export interface OperationSpec {
  readonly name: string;
  readonly input: StructureShape;
  /** `kms:<Op>`; null for operations that are not authorized per key (none today). */
  readonly action: string;
  /** CloudTrail readOnly. */
  readonly readOnly: boolean;
  /** Cryptographic operations log `responseElements: null` and count for GetKeyLastUsage. */
  readonly cryptographic?: boolean;
  /** Changes the world (and so must commit before answering). */
  readonly mutates: boolean;
  readonly supportsDryRun?: boolean;
  readonly keys?: readonly KeyTarget[];
  /** The resource a key-less action is authorized on (default `*`), e.g. an IAM user's ARN. */
  readonly resource?: (ctx: CallContext) => string;
  /** CloudTrail eventSource (default `kms.amazonaws.com`; the simulated IAM API: `iam.amazonaws.com`). */
  readonly eventSource?: string;
  /** Lab controls (faults) are traced but are no AWS API call: no CloudTrail record. */
  readonly cloudTrail?: false;
  /** An AWS service's own operation (services/): its endpoint, denial code and trail rules. */
  readonly service?: ServiceOperationInfo;
  /** Semantic input checks that need no key, run right after shape validation. */
  readonly validate?: (input: Record<string, unknown>, ctx: CallContext) => void;
  /** Runs before key targets resolve (e.g. DescribeKey creating an AWS managed key on first use). */
  readonly prepare?: (ctx: CallContext) => Promise<void>;
  /** Checks that need the resolved keys, run before DryRun is answered. */
  readonly precheck?: (ctx: CallContext) => void | Promise<void>;
  readonly handler: (ctx: CallContext) => Promise<Record<string, unknown>> | Record<string, unknown>;
  /** CloudTrail requestParameters; default: the input in lowerCamelCase without blobs. */
  readonly trailRequest?: (ctx: CallContext) => Record<string, unknown> | null;
  /** CloudTrail responseElements for successful management calls; default: none (null). */
  readonly trailResponse?: (
    output: Record<string, unknown>,
    ctx: CallContext,
  ) => Record<string, unknown> | null;
}

/**
 * What the pipeline needs to know about an AWS service operation (`s3:PutObject`, …): the service
 * calls KMS on the caller's behalf through `ctx.kms` with `kms:ViaService = <prefix>.<region>.amazonaws.com`.
 */
export interface ServiceOperationInfo {
  /** Endpoint prefix, also the `kms:ViaService` prefix (`s3`, `ec2`, `ssm`, `secretsmanager`, `rds`, `redshift`). */
  readonly endpointPrefix: string;
  /** The service principal that appears as `invokedBy`, user agent and source IP (`s3.amazonaws.com`). */
  readonly principal: string;
  /** The service's own name for an access denial (S3: `AccessDenied`); default `AccessDeniedException`. */
  readonly accessDeniedCode?: string;
  /** A CloudTrail data event (S3 object operations): not logged by a trail by default, so not recorded. */
  readonly dataEvent?: boolean;
}

/** A family module's operations. */
export type OperationFamily = readonly OperationSpec[];

export class OperationRegistry {
  readonly #ops = new Map<string, OperationSpec>();

  register(...families: OperationFamily[]): this {
    for (const family of families)
      for (const op of family) {
        if (this.#ops.has(op.name)) throw new Error(`Operation ${op.name} registered twice`);
        this.#ops.set(op.name, op);
      }
    return this;
  }

  get(name: string): OperationSpec | undefined {
    return this.#ops.get(name);
  }

  names(): string[] {
    return [...this.#ops.keys()].sort();
  }
}

export type ErrorFactory = (arn: string) => KmsError;
