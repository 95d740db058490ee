/**
 * AWS managed keys (kms-api.md §6, §15): symmetric keys that an AWS service creates in the
 * customer's account on first use, under a predefined `alias/aws/<service>`. KeyManager AWS,
 * a key policy that lets the account use the key only through the service (`kms:ViaService` +
 * `kms:CallerAccount`), yearly automatic rotation, no customer management.
 */
import type { Keyring } from '../crypto/keyring.ts';
import { newKeyId } from '../crypto/random.ts';
import { aliasArn, isArn, keyArn, parseKmsArn } from '../model/identifiers.ts';
import type { KeyRecord } from '../model/key.ts';
import type { WorldTx } from '../model/world.ts';
import { AWS_MANAGED_ROTATION_DAYS, DAY_MS } from './keyRotation.ts';

export interface AwsManagedKeyService {
  /** The alias name, `alias/aws/<name>`. */
  readonly alias: string;
  /** The service's endpoint prefix in `kms:ViaService` (`ec2` for EBS). */
  readonly viaService: string;
  /** What the key protects, in its description. */
  readonly protects: string;
}

/** The predefined aliases of AWS managed keys this world knows. */
export const AWS_MANAGED_KEY_SERVICES: readonly AwsManagedKeyService[] = [
  { alias: 'alias/aws/acm', viaService: 'acm', protects: 'ACM private keys' },
  { alias: 'alias/aws/dynamodb', viaService: 'dynamodb', protects: 'DynamoDB data' },
  { alias: 'alias/aws/ebs', viaService: 'ec2', protects: 'EBS volumes' },
  { alias: 'alias/aws/elasticfilesystem', viaService: 'elasticfilesystem', protects: 'EFS filesystems' },
  { alias: 'alias/aws/lambda', viaService: 'lambda', protects: 'Lambda functions' },
  { alias: 'alias/aws/rds', viaService: 'rds', protects: 'RDS database volumes' },
  { alias: 'alias/aws/redshift', viaService: 'redshift', protects: 'Redshift clusters' },
  { alias: 'alias/aws/s3', viaService: 's3', protects: 'S3 objects' },
  { alias: 'alias/aws/secretsmanager', viaService: 'secretsmanager', protects: 'Secrets Manager secrets' },
  { alias: 'alias/aws/sns', viaService: 'sns', protects: 'SNS data' },
  { alias: 'alias/aws/sqs', viaService: 'sqs', protects: 'SQS messages' },
  { alias: 'alias/aws/ssm', viaService: 'ssm', protects: 'SSM parameters' },
];

export const awsManagedKeyService = (aliasName: string): AwsManagedKeyService | undefined =>
  AWS_MANAGED_KEY_SERVICES.find((s) => s.alias === aliasName);

/**
 * The key policy of an AWS managed key, as AWS writes it (kms-api.md §15 EBS example): anyone in
 * the account may use the key through the service; the account may read its metadata directly.
 */
export function awsManagedKeyPolicy(
  service: AwsManagedKeyService,
  accountId: string,
  region: string,
): string {
  const name = service.alias.slice('alias/aws/'.length);
  return prettyPolicy({
    Version: '2012-10-17',
    Id: `auto-${name}-2`,
    Statement: [
      {
        Sid: `Allow access through ${name.toUpperCase()} for all principals in the account that are authorized to use ${name.toUpperCase()}`,
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncrypt*',
          'kms:GenerateDataKey*',
          'kms:CreateGrant',
          'kms:DescribeKey',
        ],
        Resource: '*',
        Condition: {
          StringEquals: {
            'kms:CallerAccount': accountId,
            'kms:ViaService': `${service.viaService}.${region}.amazonaws.com`,
          },
        },
      },
      {
        Sid: 'Allow direct access to key metadata to the account',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: ['kms:Describe*', 'kms:Get*', 'kms:List*', 'kms:RevokeGrant'],
        Resource: '*',
      },
    ],
  });
}

/**
 * JSON in the layout GetKeyPolicy returns (Jackson's pretty printer, as in the default key
 * policy): 2-space indent, `" : "`, arrays inline (`[ "a", "b" ]`, `[ {` … `}, {` … `} ]`).
 */
function prettyPolicy(value: unknown, indent = ''): string {
  if (Array.isArray(value)) return `[ ${value.map((v) => prettyPolicy(v, indent)).join(', ')} ]`;
  if (typeof value === 'object' && value !== null) {
    const inner = `${indent}  `;
    const members = Object.entries(value).map(
      ([k, v]) => `${inner}${JSON.stringify(k)} : ${prettyPolicy(v, inner)}`,
    );
    return `{\n${members.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

/**
 * The AWS managed key behind `alias/aws/<service>` in an account and Region, created (with its
 * alias) on first use. Services call this when they use their default key; DescribeKey on the
 * predefined alias calls it too.
 */
export async function ensureAwsManagedKey(
  tx: WorldTx,
  keyring: Keyring,
  accountId: string,
  region: string,
  aliasName: string,
  now: number,
): Promise<KeyRecord> {
  const service = awsManagedKeyService(aliasName);
  if (!service) throw new Error(`${aliasName} is not a predefined AWS managed key alias`);
  const existing = tx.alias(aliasArn(region, accountId, aliasName));
  const current = existing && tx.key(keyArn(region, accountId, existing.targetKeyId));
  if (current) return current;
  const keyId = newKeyId();
  const material = await keyring.newSymmetricMaterial(now);
  const key: KeyRecord = {
    arn: keyArn(region, accountId, keyId),
    keyId,
    accountId,
    region,
    createdAt: now,
    // (unverified) wording: AWS's descriptions read "Default key that protects my … when no other key is defined".
    description: `Default key that protects my ${service.protects} when no other key is defined`,
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    origin: 'AWS_KMS',
    keyManager: 'AWS',
    multiRegion: false,
    state: 'Enabled',
    policy: awsManagedKeyPolicy(service, accountId, region),
    tags: [],
    materials: [material],
    currentMaterialId: material.id,
    rotation: {
      enabled: true,
      periodDays: AWS_MANAGED_ROTATION_DAYS,
      nextRotationDate: now + AWS_MANAGED_ROTATION_DAYS * DAY_MS,
      onDemandCount: 0,
    },
  };
  tx.putKey(key);
  tx.putAlias({
    aliasName,
    aliasArn: aliasArn(region, accountId, aliasName),
    accountId,
    region,
    targetKeyId: keyId,
    createdAt: now,
    lastUpdatedAt: now,
  });
  return key;
}

/**
 * If a KeyId names a predefined AWS managed key alias of the caller's account that has no key
 * yet, creates the key (DescribeKey's "first use").
 */
export async function ensureAwsManagedKeyFor(
  ref: string,
  tx: WorldTx,
  keyring: Keyring,
  caller: { accountId: string; region: string },
  now: number,
): Promise<void> {
  let aliasName = ref;
  if (isArn(ref)) {
    let arn;
    try {
      arn = parseKmsArn(ref);
    } catch {
      return; // resolution reports the malformed ARN
    }
    if (arn.resourceType !== 'alias' || arn.accountId !== caller.accountId || arn.region !== caller.region)
      return;
    aliasName = arn.resource;
  }
  if (!awsManagedKeyService(aliasName)) return;
  await ensureAwsManagedKey(tx, keyring, caller.accountId, caller.region, aliasName, now);
}
