/**
 * The KMS calls behind an RDS instance's encrypted storage (EBS-like envelope encryption): RDS
 * provisions a data key under the instance's KMS key, decrypts it with its own grant whenever the
 * instance boots, and decrypts a source's data key with the caller's permission when it reads
 * encrypted storage to copy it (snapshot copies, restores, read replicas).
 */
import { KmsError } from '../../errors.ts';
import type { CallContext } from '../../operations/context.ts';
import { callKms, keyArnOf } from '../common.ts';
import {
  createServiceGrant,
  describeSymmetricKey,
  retireServiceGrant,
  serviceActor,
} from '../serviceGrants.ts';
import { dbContext, INACCESSIBLE, RDS, type DBInstanceData, type DBInstanceStatus } from './model.ts';

/** RDS decrypts the storage's data key with its grant: the instance boots, or becomes inaccessible. */
export async function boot(
  ctx: CallContext,
  d: Pick<DBInstanceData, 'kmsKeyArn' | 'encryptedDataKey' | 'dbiResourceId' | 'grant'>,
  region = ctx.region,
): Promise<DBInstanceStatus> {
  if (!d.kmsKeyArn || !d.encryptedDataKey) return 'available';
  try {
    const out = await callKms(
      RDS,
      ctx,
      'Decrypt',
      {
        CiphertextBlob: d.encryptedDataKey,
        EncryptionContext: dbContext(d.dbiResourceId),
        KeyId: d.kmsKeyArn,
        ...(d.grant ? { GrantTokens: [d.grant.grantToken] } : {}),
      },
      { as: serviceActor(RDS, ctx, region), region },
    );
    (out.Plaintext as Uint8Array).fill(0); // held by the DB host in this simulation, not stored
    return 'available';
  } catch (e) {
    if (e instanceof KmsError) return INACCESSIBLE;
    throw e;
  }
}

/**
 * Encrypted storage for a new DB instance: DescribeKey, CreateGrant for RDS and
 * GenerateDataKeyWithoutPlaintext as the caller through RDS, then the first boot with the grant.
 */
export async function provisionStorage(ctx: CallContext, keyRef: string, dbiResourceId: string) {
  const kmsKeyArn = await describeSymmetricKey(RDS, ctx, keyRef);
  const context = dbContext(dbiResourceId);
  const grant = await createServiceGrant(RDS, ctx, kmsKeyArn, context);
  try {
    const out = await callKms(RDS, ctx, 'GenerateDataKeyWithoutPlaintext', {
      KeyId: kmsKeyArn,
      KeySpec: 'AES_256',
      EncryptionContext: context,
    });
    const data = {
      storageEncrypted: true,
      kmsKeyArn: keyArnOf(out),
      encryptedDataKey: out.CiphertextBlob as Uint8Array<ArrayBuffer>,
      grant,
      dbiResourceId,
    };
    return { ...data, status: await boot(ctx, data) };
  } catch (e) {
    await retireServiceGrant(RDS, ctx, grant);
    throw e;
  }
}

/** RDS reads encrypted storage (a snapshot or a source instance) with the caller's permission. */
export async function readEncrypted(
  ctx: CallContext,
  src: { kmsKeyArn?: string; encryptedDataKey?: Uint8Array<ArrayBuffer> },
  context: Readonly<Record<string, string>>,
  region: string,
) {
  if (!src.kmsKeyArn || !src.encryptedDataKey) return;
  const out = await callKms(
    RDS,
    ctx,
    'Decrypt',
    { CiphertextBlob: src.encryptedDataKey, EncryptionContext: { ...context }, KeyId: src.kmsKeyArn },
    { region },
  );
  (out.Plaintext as Uint8Array).fill(0);
}
