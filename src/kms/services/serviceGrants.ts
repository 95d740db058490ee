/**
 * What RDS and Redshift share (kms-api.md §15): when a resource is created on a KMS key, the service
 * (as the caller, through `kms:ViaService`, so `kms:GrantIsForAWSResource` holds) gives itself a
 * grant on the key whose grantee and retiring principal are its Regional service principal
 * (`rds.<region>.amazonaws.com`); its own background work later (starting a DB instance, rebooting
 * a cluster) uses that grant as the service principal, not the caller's permissions.
 *
 * (unverified) The exact operations and constraints of those grants are not published; here they
 * are the envelope-encryption operations, constrained to the resource's encryption context subset.
 */
import { randomBytes } from '../crypto/random.ts';
import type { GrantOperation } from '../model/grant.ts';
import type { CallContext } from '../operations/context.ts';
import { servicePrincipal } from '../iam/principals.ts';
import type { Principal } from '../world/principal.ts';
import { callKms, serviceError, type ServiceInfo } from './common.ts';

/** `rds.us-east-1.amazonaws.com`: the grantee of a service's grant and the principal that uses it. */
export const regionalServicePrincipal = (service: ServiceInfo, region: string): string =>
  `${service.endpointPrefix}.${region}.amazonaws.com`;

/** The service acting on its own (its grant), in the caller's account. */
export const serviceActor = (service: ServiceInfo, ctx: CallContext, region = ctx.region): Principal =>
  servicePrincipal(regionalServicePrincipal(service, region), ctx.accountId);

/** (unverified) The operations RDS and Redshift grant themselves. */
export const SERVICE_GRANT_OPERATIONS: readonly GrantOperation[] = [
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
  'CreateGrant',
  'RetireGrant',
  'DescribeKey',
];

export interface ServiceGrant {
  readonly grantId: string;
  readonly grantToken: string;
}

/** DescribeKey as the caller through the service: the key's ARN, refusing non-symmetric keys. */
export async function describeSymmetricKey(
  service: ServiceInfo,
  ctx: CallContext,
  keyRef: string,
  region = ctx.region,
): Promise<string> {
  const out = await callKms(service, ctx, 'DescribeKey', { KeyId: keyRef }, { region });
  const meta = out.KeyMetadata as { Arn: string; KeySpec: string; KeyUsage: string };
  if (meta.KeySpec !== 'SYMMETRIC_DEFAULT' || meta.KeyUsage !== 'ENCRYPT_DECRYPT')
    throw serviceError(
      'InvalidParameterValue',
      `${meta.Arn} is not a symmetric encryption KMS key. ${service.principal} supports only symmetric encryption KMS keys.`,
    ); // (unverified)
  return meta.Arn;
}

/** CreateGrant as the caller through the service, for the service's Regional principal. */
export async function createServiceGrant(
  service: ServiceInfo,
  ctx: CallContext,
  keyArn: string,
  context: Readonly<Record<string, string>>,
  region = ctx.region,
): Promise<ServiceGrant> {
  const grantee = regionalServicePrincipal(service, region);
  const out = await callKms(
    service,
    ctx,
    'CreateGrant',
    {
      KeyId: keyArn,
      GranteePrincipal: grantee,
      RetiringPrincipal: grantee,
      Operations: [...SERVICE_GRANT_OPERATIONS],
      Constraints: { EncryptionContextSubset: { ...context } },
    },
    { region },
  );
  return { grantId: out.GrantId as string, grantToken: out.GrantToken as string };
}

/** The service retires its own grant (best effort: a deleted key does not block the deletion). */
export async function retireServiceGrant(
  service: ServiceInfo,
  ctx: CallContext,
  grant: ServiceGrant | undefined,
  region = ctx.region,
): Promise<void> {
  if (!grant) return;
  await callKms(
    service,
    ctx,
    'RetireGrant',
    { GrantToken: grant.grantToken },
    { as: serviceActor(service, ctx, region), region },
  ).catch(() => undefined);
}

/** `20150206T1832Z`: the compact UTC minute Redshift puts in `aws:redshift:createtime`. */
export const compactMinute = (ms: number): string =>
  new Date(ms).toISOString().replace(/[-:]/g, '').slice(0, 13) + 'Z';

/** RDS-style resource IDs: `db-` + 26 upper-case letters and digits. */
export function upperId(prefix: string, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return `${prefix}${Array.from(randomBytes(length), (b) => alphabet[b % alphabet.length]).join('')}`;
}
