/**
 * Amazon EBS encryption (kms-api.md §15; KMS developer guide "Amazon EC2 example two"), shapes of
 * `@aws-sdk/client-ec2`:
 *
 * - CreateVolume: GenerateDataKeyWithoutPlaintext with `{"aws:ebs:id": "vol-…"}`, as EC2 on the
 *   caller's behalf; key: KmsKeyId, else the Region's EBS default key (`alias/aws/ebs` unless
 *   changed), when Encrypted or when encryption by default is on in the Region.
 * - AttachVolume: CreateGrant (caller via EC2, `kms:GrantIsForAWSResource`) for the instance's
 *   infrastructure session `<acct>:aws:ec2-infrastructure:<instance>` allowing Decrypt (and
 *   RetireGrant) under `{"aws:ebs:id": "vol-…"}`, then Decrypt of the volume's data key by
 *   `arn:aws:sts::<acct>:assumed-role/aws:ec2-infrastructure/<instance>`; the plaintext data key
 *   stays in the (simulated) host's memory, so disabling the KMS key does not stop an attached
 *   volume, but it stops the next attach.
 * - DetachVolume: the grant is retired.
 * - CreateSnapshot: the snapshot keeps the volume's key and encrypted data key (unverified: no KMS
 *   call). CopySnapshot to another Region: Decrypt in the source Region, then
 *   GenerateDataKeyWithoutPlaintext in the destination Region under a key of that Region with
 *   `{"aws:ebs:id": "snap-…"}` (the new snapshot's ID).
 *
 * Errors follow EC2: `UnauthorizedOperation` for denials (KMS's too, with its message),
 * `InvalidVolume.NotFound`, `InvalidSnapshot.NotFound`, `IncorrectState`, `InvalidParameterValue`.
 */
import { KmsError } from '../errors.ts';
import type { ResourceRecord } from '../model/resource.ts';
import type { CallContext } from '../operations/context.ts';
import type { OperationFamily } from '../operations/registry.ts';
import { S } from '../operations/shape.ts';
import { isKnownRegion, REGIONS } from '../world/regions.ts';
import type { Principal } from '../world/principal.ts';
import {
  callKms,
  ec2Id,
  keyArnOf,
  newResource,
  serviceError,
  serviceOperation,
  updateResource,
  type ServiceInfo,
} from './common.ts';

export const EBS: ServiceInfo = {
  actionPrefix: 'ec2',
  endpointPrefix: 'ec2',
  principal: 'ec2.amazonaws.com',
  eventSource: 'ec2.amazonaws.com',
  accessDeniedCode: 'UnauthorizedOperation',
  // (unverified) how EC2 words KMS failures to its caller.
  kmsError: (e) =>
    e.code === 'AccessDeniedException'
      ? new KmsError(
          'UnauthorizedOperation',
          `You are not authorized to perform this operation. ${e.message}`,
        )
      : new KmsError(
          'IncorrectState',
          `The KMS key used by this resource cannot be used: ${e.code}: ${e.message}`,
        ),
};

export const VOLUME_KIND = 'ec2:volume';
export const SNAPSHOT_KIND = 'ec2:snapshot';
export const EBS_DEFAULTS_KIND = 'ec2:ebs-encryption-defaults';
export const DEFAULT_EBS_KEY = 'alias/aws/ebs';

export interface VolumeData {
  readonly volumeId: string;
  readonly size: number;
  readonly availabilityZone: string;
  readonly encrypted: boolean;
  readonly kmsKeyArn?: string;
  /** The volume's data key, encrypted under the KMS key (GenerateDataKeyWithoutPlaintext). */
  readonly encryptedDataKey?: Uint8Array<ArrayBuffer>;
  readonly snapshotId?: string;
  readonly state: 'available' | 'in-use';
  readonly attachment?: {
    readonly instanceId: string;
    readonly device: string;
    readonly attachTime: number;
    readonly grantId?: string;
    readonly grantToken?: string;
  };
}

export interface SnapshotData {
  readonly snapshotId: string;
  readonly volumeId: string;
  readonly volumeSize: number;
  readonly encrypted: boolean;
  readonly kmsKeyArn?: string;
  readonly encryptedDataKey?: Uint8Array<ArrayBuffer>;
  /** The encryption context its data key is bound to (`aws:ebs:id` of the volume or of the copy). */
  readonly dataKeyContext?: Readonly<Record<string, string>>;
  readonly description?: string;
  readonly sourceSnapshotId?: string;
  readonly sourceRegion?: string;
}

interface EbsDefaults {
  readonly encryptionByDefault: boolean;
  readonly kmsKeyId: string;
}

export const volumeArn = (region: string, account: string, id: string): string =>
  `arn:aws:ec2:${region}:${account}:volume/${id}`;
export const snapshotArn = (region: string, account: string, id: string): string =>
  `arn:aws:ec2:${region}::snapshot/${id}#${account}`;
const defaultsArn = (region: string, account: string) =>
  `arn:aws:ec2:${region}:${account}:ebs-encryption-defaults`;
/** (unverified) the resource EBS account-level settings are authorized on. */
const accountResource = (ctx: CallContext) => `arn:aws:ec2:${ctx.region}:${ctx.accountId}:*`;

/** The documented grantee of EC2's grant for an instance, and the session that uses it. */
export const infrastructureGrantee = (account: string, instanceId: string): string =>
  `${account}:aws:ec2-infrastructure:${instanceId}`;
export const infrastructurePrincipal = (account: string, instanceId: string): Principal => ({
  type: 'AssumedRole',
  arn: `arn:aws:sts::${account}:assumed-role/aws:ec2-infrastructure/${instanceId}`,
  accountId: account,
  principalId: `AROAEC2INFRASTRUCTURE:${instanceId}`,
});

function defaults(ctx: CallContext, region = ctx.region): EbsDefaults {
  return (
    ctx.tx.resource<EbsDefaults>(defaultsArn(region, ctx.accountId))?.data ?? {
      encryptionByDefault: false,
      kmsKeyId: DEFAULT_EBS_KEY,
    }
  );
}

function setDefaults(ctx: CallContext, change: Partial<EbsDefaults>) {
  const arn = defaultsArn(ctx.region, ctx.accountId);
  const existing = ctx.tx.resource<EbsDefaults>(arn);
  const data = { ...defaults(ctx), ...change };
  ctx.tx.putResource(existing ? { ...existing, data } : newResource(ctx, EBS_DEFAULTS_KIND, arn, data));
  return data;
}

function volume(ctx: CallContext, id: string): ResourceRecord<VolumeData> {
  const v = ctx.tx.resource<VolumeData>(volumeArn(ctx.region, ctx.accountId, id));
  if (!v || v.kind !== VOLUME_KIND)
    throw serviceError('InvalidVolume.NotFound', `The volume '${id}' does not exist.`);
  return v;
}

function snapshot(ctx: CallContext, id: string, region = ctx.region): ResourceRecord<SnapshotData> {
  const s = ctx.tx.resource<SnapshotData>(snapshotArn(region, ctx.accountId, id));
  if (!s || s.kind !== SNAPSHOT_KIND)
    throw serviceError('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
  return s;
}

const volumeOut = (v: ResourceRecord<VolumeData>) => ({
  VolumeId: v.data.volumeId,
  Size: v.data.size,
  AvailabilityZone: v.data.availabilityZone,
  State: v.data.state,
  CreateTime: new Date(v.createdAt),
  Encrypted: v.data.encrypted,
  ...(v.data.kmsKeyArn ? { KmsKeyId: v.data.kmsKeyArn } : {}),
  ...(v.data.snapshotId ? { SnapshotId: v.data.snapshotId } : {}),
  VolumeType: 'gp3',
  Attachments: v.data.attachment
    ? [
        {
          VolumeId: v.data.volumeId,
          InstanceId: v.data.attachment.instanceId,
          Device: v.data.attachment.device,
          State: 'attached',
          AttachTime: new Date(v.data.attachment.attachTime),
          DeleteOnTermination: false,
        },
      ]
    : [],
});

const snapshotOut = (s: ResourceRecord<SnapshotData>) => ({
  SnapshotId: s.data.snapshotId,
  VolumeId: s.data.volumeId,
  VolumeSize: s.data.volumeSize,
  State: 'completed',
  Progress: '100%',
  StartTime: new Date(s.createdAt),
  OwnerId: s.accountId,
  Encrypted: s.data.encrypted,
  ...(s.data.kmsKeyArn ? { KmsKeyId: s.data.kmsKeyArn } : {}),
  ...(s.data.description ? { Description: s.data.description } : {}),
});

/** A new data key for an EBS resource, encrypted under `keyRef` (no plaintext leaves KMS). */
async function newDataKey(ctx: CallContext, keyRef: string, resourceId: string, region = ctx.region) {
  const EncryptionContext = { 'aws:ebs:id': resourceId };
  const out = await callKms(
    EBS,
    ctx,
    'GenerateDataKeyWithoutPlaintext',
    { KeyId: keyRef, KeySpec: 'AES_256', EncryptionContext },
    { region },
  );
  return {
    kmsKeyArn: keyArnOf(out),
    encryptedDataKey: out.CiphertextBlob as Uint8Array<ArrayBuffer>,
    context: EncryptionContext,
  };
}

const az = S.str(1, 64, '^[a-z]+-[a-z]+-\\d+[a-z]$');
const volumeId = S.str(1, 64, '^vol-[0-9a-f]+$');
const snapshotId = S.str(1, 64, '^snap-[0-9a-f]+$');
const instanceId = S.str(1, 64, '^i-[0-9a-f]+$');

export const ebsOperations: OperationFamily = [
  serviceOperation(EBS, {
    name: 'EnableEbsEncryptionByDefault',
    mutates: true,
    resource: accountResource,
    input: S.struct({ DryRun: S.bool }),
    handler: (ctx) => ({
      EbsEncryptionByDefault: setDefaults(ctx, { encryptionByDefault: true }).encryptionByDefault,
    }),
  }),
  serviceOperation(EBS, {
    name: 'DisableEbsEncryptionByDefault',
    mutates: true,
    resource: accountResource,
    input: S.struct({ DryRun: S.bool }),
    handler: (ctx) => ({
      EbsEncryptionByDefault: setDefaults(ctx, { encryptionByDefault: false }).encryptionByDefault,
    }),
  }),
  serviceOperation(EBS, {
    name: 'GetEbsEncryptionByDefault',
    mutates: false,
    resource: accountResource,
    input: S.struct({ DryRun: S.bool }),
    handler: (ctx) => ({ EbsEncryptionByDefault: defaults(ctx).encryptionByDefault }),
  }),
  serviceOperation(EBS, {
    name: 'ModifyEbsDefaultKmsKeyId',
    mutates: true,
    resource: accountResource,
    input: S.struct({ KmsKeyId: S.str(1, 2048), DryRun: S.bool }, ['KmsKeyId']),
    handler: (ctx) => ({ KmsKeyId: setDefaults(ctx, { kmsKeyId: ctx.input.KmsKeyId }).kmsKeyId }),
  }),
  serviceOperation(EBS, {
    name: 'GetEbsDefaultKmsKeyId',
    mutates: false,
    resource: accountResource,
    input: S.struct({ DryRun: S.bool }),
    handler: (ctx) => ({ KmsKeyId: defaults(ctx).kmsKeyId }),
  }),
  serviceOperation(EBS, {
    name: 'CreateVolume',
    mutates: true,
    resource: (ctx) => `arn:aws:ec2:${ctx.region}:${ctx.accountId}:volume/*`,
    input: S.struct(
      {
        AvailabilityZone: az,
        Size: S.int(1, 65536),
        Encrypted: S.bool,
        KmsKeyId: S.str(1, 2048),
        SnapshotId: snapshotId,
        VolumeType: S.enum(['standard', 'io1', 'io2', 'gp2', 'gp3', 'sc1', 'st1']),
      },
      ['AvailabilityZone'],
    ),
    async handler(ctx) {
      const i = ctx.input;
      if (!i.AvailabilityZone.startsWith(ctx.region))
        throw serviceError('InvalidParameterValue', `Invalid availability zone: [${i.AvailabilityZone}]`);
      const snap = i.SnapshotId ? snapshot(ctx, i.SnapshotId) : undefined;
      const d = defaults(ctx);
      if (i.KmsKeyId !== undefined && i.Encrypted !== true && !d.encryptionByDefault && !snap?.data.encrypted)
        throw serviceError(
          'InvalidParameterDependency',
          'The parameter KmsKeyId requires the parameter Encrypted to be set.',
        );
      if (i.Encrypted === false && snap?.data.encrypted)
        throw serviceError(
          'InvalidParameterCombination',
          'Volumes created from encrypted snapshots are encrypted.',
        ); // (unverified)
      const encrypted = i.Encrypted === true || d.encryptionByDefault || snap?.data.encrypted === true;
      const size = i.Size ?? snap?.data.volumeSize;
      if (size === undefined)
        throw serviceError('MissingParameter', 'The request must contain the parameter size or snapshotId');
      const id = ec2Id('vol');
      const key = encrypted
        ? await newDataKey(ctx, i.KmsKeyId ?? snap?.data.kmsKeyArn ?? d.kmsKeyId, id)
        : undefined;
      const data: VolumeData = {
        volumeId: id,
        size,
        availabilityZone: i.AvailabilityZone,
        encrypted,
        ...(key ? { kmsKeyArn: key.kmsKeyArn, encryptedDataKey: key.encryptedDataKey } : {}),
        ...(snap ? { snapshotId: snap.data.snapshotId } : {}),
        state: 'available',
      };
      const v = newResource(ctx, VOLUME_KIND, volumeArn(ctx.region, ctx.accountId, id), data);
      ctx.tx.putResource(v);
      return volumeOut(v);
    },
  }),
  serviceOperation(EBS, {
    name: 'DescribeVolumes',
    mutates: false,
    resource: (ctx) => `arn:aws:ec2:${ctx.region}:${ctx.accountId}:volume/*`,
    input: S.struct({ VolumeIds: S.list(volumeId) }),
    handler(ctx) {
      const ids = ctx.input.VolumeIds as string[] | undefined;
      const all = ids
        ? ids.map((id) => volume(ctx, id))
        : ctx.tx.resources<VolumeData>(VOLUME_KIND, ctx.accountId, ctx.region);
      return { Volumes: all.map(volumeOut) };
    },
  }),
  serviceOperation(EBS, {
    name: 'AttachVolume',
    mutates: true,
    resource: (ctx) => volumeArn(ctx.region, ctx.accountId, ctx.input.VolumeId),
    input: S.struct({ VolumeId: volumeId, InstanceId: instanceId, Device: S.str(1, 64) }, [
      'VolumeId',
      'InstanceId',
      'Device',
    ]),
    async handler(ctx) {
      const v = volume(ctx, ctx.input.VolumeId);
      if (v.data.attachment)
        throw serviceError('VolumeInUse', `${v.data.volumeId} is already attached to an instance`);
      let grant: { grantId?: string; grantToken?: string } = {};
      if (v.data.encrypted && v.data.kmsKeyArn && v.data.encryptedDataKey) {
        const context = { 'aws:ebs:id': v.data.volumeId };
        const g = await callKms(EBS, ctx, 'CreateGrant', {
          KeyId: v.data.kmsKeyArn,
          GranteePrincipal: infrastructureGrantee(ctx.accountId, ctx.input.InstanceId),
          Operations: ['Decrypt', 'RetireGrant'],
          Constraints: { EncryptionContextSubset: context },
        });
        grant = { grantId: g.GrantId as string, grantToken: g.GrantToken as string };
        // The instance's host decrypts the data key with the fresh grant (its token: no propagation wait).
        const out = await callKms(
          EBS,
          ctx,
          'Decrypt',
          {
            CiphertextBlob: v.data.encryptedDataKey,
            EncryptionContext: context,
            KeyId: v.data.kmsKeyArn,
            GrantTokens: [grant.grantToken],
          },
          { as: infrastructurePrincipal(ctx.accountId, ctx.input.InstanceId) },
        );
        (out.Plaintext as Uint8Array).fill(0); // held by the hypervisor in this simulation, not stored
      }
      const attachment = {
        instanceId: ctx.input.InstanceId,
        device: ctx.input.Device,
        attachTime: ctx.now,
        ...grant,
      };
      updateResource(ctx, v, { state: 'in-use', attachment });
      return {
        VolumeId: v.data.volumeId,
        InstanceId: attachment.instanceId,
        Device: attachment.device,
        State: 'attaching',
        AttachTime: new Date(ctx.now),
      };
    },
  }),
  serviceOperation(EBS, {
    name: 'DetachVolume',
    mutates: true,
    resource: (ctx) => volumeArn(ctx.region, ctx.accountId, ctx.input.VolumeId),
    input: S.struct({ VolumeId: volumeId, InstanceId: instanceId, Device: S.str(1, 64), Force: S.bool }, [
      'VolumeId',
    ]),
    async handler(ctx) {
      const v = volume(ctx, ctx.input.VolumeId);
      const a = v.data.attachment;
      if (!a)
        throw serviceError('IncorrectState', `Volume '${v.data.volumeId}' is in the 'available' state.`);
      // The retirement is EC2's business: a failure (the key deleted meanwhile) does not block the detach.
      if (a.grantToken)
        await callKms(EBS, ctx, 'RetireGrant', { GrantToken: a.grantToken }).catch(() => undefined);
      const { attachment: _a, ...rest } = v.data;
      void _a;
      ctx.tx.putResource({ ...v, data: { ...rest, state: 'available' } } as ResourceRecord);
      return {
        VolumeId: v.data.volumeId,
        InstanceId: a.instanceId,
        Device: a.device,
        State: 'detaching',
        AttachTime: new Date(a.attachTime),
      };
    },
  }),
  serviceOperation(EBS, {
    name: 'CreateSnapshot',
    mutates: true,
    resource: (ctx) => `arn:aws:ec2:${ctx.region}::snapshot/*`,
    input: S.struct({ VolumeId: volumeId, Description: S.str(0, 255) }, ['VolumeId']),
    handler(ctx) {
      const v = volume(ctx, ctx.input.VolumeId);
      const id = ec2Id('snap');
      const data: SnapshotData = {
        snapshotId: id,
        volumeId: v.data.volumeId,
        volumeSize: v.data.size,
        encrypted: v.data.encrypted,
        ...(v.data.kmsKeyArn
          ? {
              kmsKeyArn: v.data.kmsKeyArn,
              encryptedDataKey: v.data.encryptedDataKey!,
              dataKeyContext: { 'aws:ebs:id': v.data.volumeId },
            }
          : {}),
        ...(ctx.input.Description ? { description: ctx.input.Description } : {}),
      };
      const s = newResource(ctx, SNAPSHOT_KIND, snapshotArn(ctx.region, ctx.accountId, id), data);
      ctx.tx.putResource(s);
      return snapshotOut(s);
    },
  }),
  serviceOperation(EBS, {
    name: 'DescribeSnapshots',
    mutates: false,
    resource: (ctx) => `arn:aws:ec2:${ctx.region}::snapshot/*`,
    input: S.struct({ SnapshotIds: S.list(snapshotId) }),
    handler(ctx) {
      const ids = ctx.input.SnapshotIds as string[] | undefined;
      const all = ids
        ? ids.map((id) => snapshot(ctx, id))
        : ctx.tx.resources<SnapshotData>(SNAPSHOT_KIND, ctx.accountId, ctx.region);
      return { Snapshots: all.map(snapshotOut) };
    },
  }),
  serviceOperation(EBS, {
    name: 'CopySnapshot',
    mutates: true,
    resource: (ctx) => `arn:aws:ec2:${ctx.region}::snapshot/*`,
    input: S.struct(
      {
        SourceRegion: S.str(1, 32),
        SourceSnapshotId: snapshotId,
        Encrypted: S.bool,
        KmsKeyId: S.str(1, 2048),
        Description: S.str(0, 255),
      },
      ['SourceRegion', 'SourceSnapshotId'],
    ),
    async handler(ctx) {
      const i = ctx.input;
      if (!isKnownRegion(i.SourceRegion))
        throw serviceError(
          'InvalidParameterValue',
          `Invalid source region: ${i.SourceRegion}. Valid regions: ${REGIONS.map((r) => r.name).join(', ')}`,
        ); // (unverified)
      const src = snapshot(ctx, i.SourceSnapshotId, i.SourceRegion);
      const d = defaults(ctx);
      if (i.KmsKeyId !== undefined && i.Encrypted !== true && !src.data.encrypted)
        throw serviceError(
          'InvalidParameterDependency',
          'The parameter KmsKeyId requires the parameter Encrypted to be set.',
        );
      const encrypted = src.data.encrypted || i.Encrypted === true || d.encryptionByDefault;
      // A KMS key is Regional: the copy needs a key of this (the destination) Region.
      const keyRef: string =
        i.KmsKeyId ?? (src.region === ctx.region && src.data.kmsKeyArn ? src.data.kmsKeyArn : d.kmsKeyId);
      const m = /^arn:aws:kms:([^:]+):/.exec(keyRef);
      if (encrypted && m && m[1] !== ctx.region)
        throw serviceError(
          'InvalidParameterValue',
          `The KMS key ${keyRef} is not in the destination Region ${ctx.region}.`,
        ); // (unverified)
      const id = ec2Id('snap');
      if (src.data.encrypted && src.data.encryptedDataKey) {
        // EBS reads the source with its data key, in the source Region.
        const out = await callKms(
          EBS,
          ctx,
          'Decrypt',
          {
            CiphertextBlob: src.data.encryptedDataKey,
            EncryptionContext: src.data.dataKeyContext,
            KeyId: src.data.kmsKeyArn,
          },
          { region: src.region },
        );
        (out.Plaintext as Uint8Array).fill(0);
      }
      const key = encrypted ? await newDataKey(ctx, keyRef, id) : undefined;
      const data: SnapshotData = {
        snapshotId: id,
        volumeId: 'vol-ffffffff', // copies are not linked to a volume, as in EC2
        volumeSize: src.data.volumeSize,
        encrypted,
        ...(key
          ? { kmsKeyArn: key.kmsKeyArn, encryptedDataKey: key.encryptedDataKey, dataKeyContext: key.context }
          : {}),
        ...(i.Description ? { description: i.Description } : {}),
        sourceSnapshotId: src.data.snapshotId,
        sourceRegion: src.region,
      };
      ctx.tx.putResource(newResource(ctx, SNAPSHOT_KIND, snapshotArn(ctx.region, ctx.accountId, id), data));
      return { SnapshotId: id };
    },
  }),
];
