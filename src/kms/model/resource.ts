/**
 * A resource of the simulated world other than a KMS key, alias or IAM identity: CloudHSM clusters
 * and HSMs, custom key stores, the resources of AWS services (buckets, volumes, parameters…).
 * One collection serves every family; a family keeps its own fields under `data` and names its
 * records with a `kind` (e.g. `cloudhsm:cluster`, `s3:bucket`).
 */
export interface ResourceRecord<T = unknown> {
  readonly arn: string;
  readonly kind: string;
  readonly accountId: string;
  readonly region: string;
  readonly createdAt: number;
  data: T;
}
