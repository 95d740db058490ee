/**
 * EBS encryption (kms-api.md §15): CreateVolume → GenerateDataKeyWithoutPlaintext, AttachVolume →
 * CreateGrant for the instance + Decrypt by its infrastructure session, DetachVolume → RetireGrant,
 * encryption by default, snapshots copied to another Region under that Region's key.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Kms } from '../../src/kms/index.ts';
import { ACCOUNT, kmsRecords, newKms, rejection, userWith } from './servicesHelpers.ts';

let kms: Kms;
beforeEach(async () => {
  kms = await newKms();
});

const INSTANCE = 'i-0123456789abcdef0';

describe('volumes', () => {
  it('CreateVolume: GenerateDataKeyWithoutPlaintext under aws/ebs with aws:ebs:id, via EC2', async () => {
    const from = kms.trail().length;
    const v = await kms.service('ec2', 'CreateVolume', {
      AvailabilityZone: 'us-east-1a',
      Size: 8,
      Encrypted: true,
    });
    const managed = kms.keys().find((k) => k.keyManager === 'AWS')!;
    expect(kms.aliases().find((a) => a.aliasName === 'alias/aws/ebs')!.targetKeyId).toBe(managed.keyId);
    expect(v).toMatchObject({ Encrypted: true, KmsKeyId: managed.arn, State: 'available' });
    expect(v.VolumeId).toMatch(/^vol-[0-9a-f]{17}$/);
    const [gdk, ...rest] = kmsRecords(kms, from);
    expect(rest).toEqual([]);
    expect(gdk).toMatchObject({
      eventName: 'GenerateDataKeyWithoutPlaintext',
      userAgent: 'ec2.amazonaws.com',
      userIdentity: { type: 'Root', invokedBy: 'ec2.amazonaws.com' },
      requestParameters: { keyId: 'alias/aws/ebs', encryptionContext: { 'aws:ebs:id': v.VolumeId } },
    });
    // EC2's own management call is in the trail too.
    expect(kms.trail().find((r) => r.eventName === 'CreateVolume')!.eventSource).toBe('ec2.amazonaws.com');
  });

  it('encryption by default per Region, with a changed default key', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    await kms.service('ec2', 'EnableEbsEncryptionByDefault', {});
    await kms.service('ec2', 'ModifyEbsDefaultKmsKeyId', { KmsKeyId: KeyMetadata!.Arn });
    const v = await kms.service('ec2', 'CreateVolume', { AvailabilityZone: 'us-east-1b', Size: 4 });
    expect(v).toMatchObject({ Encrypted: true, KmsKeyId: KeyMetadata!.Arn });
    const west = kms.callerFor(`arn:aws:iam::${ACCOUNT}:root`, { region: 'us-west-2' });
    expect(await kms.service('ec2', 'GetEbsEncryptionByDefault', {}, west)).toEqual({
      EbsEncryptionByDefault: false,
    });
    const plain = await kms.service('ec2', 'CreateVolume', { AvailabilityZone: 'us-west-2a', Size: 4 }, west);
    expect(plain.Encrypted).toBe(false);
    expect(plain.KmsKeyId).toBeUndefined();
  });

  it('AttachVolume: CreateGrant for the instance, Decrypt by its infrastructure role; Detach retires it', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    const v = await kms.service('ec2', 'CreateVolume', {
      AvailabilityZone: 'us-east-1a',
      Size: 8,
      Encrypted: true,
      KmsKeyId: KeyMetadata!.KeyId,
    });
    const from = kms.trail().length;
    await kms.service('ec2', 'AttachVolume', {
      VolumeId: v.VolumeId,
      InstanceId: INSTANCE,
      Device: '/dev/sdf',
    });
    const [grant, decrypt, ...rest] = kmsRecords(kms, from);
    expect(decrypt!.errorCode).toBeUndefined();
    expect(rest).toEqual([]);
    expect(grant).toMatchObject({
      eventName: 'CreateGrant',
      userIdentity: { type: 'Root', invokedBy: 'ec2.amazonaws.com' },
      requestParameters: {
        keyId: KeyMetadata!.Arn,
        granteePrincipal: `${ACCOUNT}:aws:ec2-infrastructure:${INSTANCE}`,
        operations: ['Decrypt', 'RetireGrant'],
      },
    });
    expect(decrypt).toMatchObject({
      eventName: 'Decrypt',
      userIdentity: {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/aws:ec2-infrastructure/${INSTANCE}`,
        invokedBy: 'ec2.amazonaws.com',
      },
      requestParameters: { encryptionContext: { 'aws:ebs:id': v.VolumeId } },
    });
    const grants = await kms.call('ListGrants', { KeyId: KeyMetadata!.KeyId! });
    expect(grants.Grants).toHaveLength(1);
    expect(grants.Grants![0]!.Constraints).toEqual({ EncryptionContextSubset: { 'aws:ebs:id': v.VolumeId } });
    const d = await kms.service('ec2', 'DescribeVolumes', { VolumeIds: [v.VolumeId] });
    expect((d.Volumes as { State: string }[])[0]!.State).toBe('in-use');

    const before = kms.trail().length;
    await kms.service('ec2', 'DetachVolume', { VolumeId: v.VolumeId });
    expect(kmsRecords(kms, before).map((r) => r.eventName)).toEqual(['RetireGrant']);
    expect((await kms.call('ListGrants', { KeyId: KeyMetadata!.KeyId! })).Grants).toEqual([]);
  });

  it('a disabled key stops a new attach but not an attached volume', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    const create = { AvailabilityZone: 'us-east-1a', Size: 8, Encrypted: true, KmsKeyId: KeyMetadata!.Arn };
    const attached = await kms.service('ec2', 'CreateVolume', create);
    const spare = await kms.service('ec2', 'CreateVolume', create);
    await kms.service('ec2', 'AttachVolume', {
      VolumeId: attached.VolumeId,
      InstanceId: INSTANCE,
      Device: '/dev/sdf',
    });
    await kms.call('DisableKey', { KeyId: KeyMetadata!.KeyId! });
    const e = await rejection(
      kms.service('ec2', 'AttachVolume', {
        VolumeId: spare.VolumeId,
        InstanceId: INSTANCE,
        Device: '/dev/sdg',
      }),
    );
    expect(e.code).toBe('IncorrectState');
    expect(e.message).toContain('DisabledException');
    const vols = (await kms.service('ec2', 'DescribeVolumes', {})).Volumes as {
      VolumeId: string;
      State: string;
    }[];
    expect(vols.find((x) => x.VolumeId === attached.VolumeId)!.State).toBe('in-use');
    expect(vols.find((x) => x.VolumeId === spare.VolumeId)!.State).toBe('available');
    // Detached, the volume cannot come back until the key is enabled.
    await kms.service('ec2', 'DetachVolume', { VolumeId: attached.VolumeId });
    await rejection(
      kms.service('ec2', 'AttachVolume', {
        VolumeId: attached.VolumeId,
        InstanceId: INSTANCE,
        Device: '/dev/sdf',
      }),
    );
    await kms.call('EnableKey', { KeyId: KeyMetadata!.KeyId! });
    await kms.service('ec2', 'AttachVolume', {
      VolumeId: attached.VolumeId,
      InstanceId: INSTANCE,
      Device: '/dev/sdf',
    });
  });
});

describe('two-key access', () => {
  it('ec2:CreateVolume without KMS permission is denied, naming the KMS action', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    const ops = await userWith(kms, 'ops', ['ec2:CreateVolume']);
    const e = await rejection(
      kms.service(
        'ec2',
        'CreateVolume',
        { AvailabilityZone: 'us-east-1a', Size: 8, Encrypted: true, KmsKeyId: KeyMetadata!.Arn },
        ops,
      ),
    );
    expect(e.code).toBe('UnauthorizedOperation');
    expect(e.explanation).toMatchObject({
      rule: 'kms-permission-missing',
      servicePermission: 'ec2:CreateVolume',
      missingPermission: 'kms:GenerateDataKeyWithoutPlaintext',
    });
  });

  it('ec2:AttachVolume without kms:CreateGrant is denied; with it (GrantIsForAWSResource) allowed', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    const v = await kms.service('ec2', 'CreateVolume', {
      AvailabilityZone: 'us-east-1a',
      Size: 8,
      Encrypted: true,
      KmsKeyId: KeyMetadata!.Arn,
    });
    const noGrant = await userWith(kms, 'nogrant', ['ec2:AttachVolume', 'kms:Decrypt']);
    const e = await rejection(
      kms.service(
        'ec2',
        'AttachVolume',
        { VolumeId: v.VolumeId, InstanceId: INSTANCE, Device: '/dev/sdf' },
        noGrant,
      ),
    );
    expect(e.explanation).toMatchObject({
      missingPermission: 'kms:CreateGrant',
      servicePermission: 'ec2:AttachVolume',
    });
    await kms.iam('CreateUser', { UserName: 'attacher' });
    await kms.iam('PutUserPolicy', {
      UserName: 'attacher',
      PolicyName: 'p',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'ec2:AttachVolume', Resource: '*' },
          {
            Effect: 'Allow',
            Action: 'kms:CreateGrant',
            Resource: KeyMetadata!.Arn,
            Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
          },
        ],
      }),
    });
    const attacher = kms.callerFor(`arn:aws:iam::${ACCOUNT}:user/attacher`);
    await kms.service(
      'ec2',
      'AttachVolume',
      { VolumeId: v.VolumeId, InstanceId: INSTANCE, Device: '/dev/sdf' },
      attacher,
    );
    // The same user cannot create a grant directly: the condition needs an AWS service.
    const direct = await rejection(
      kms.call(
        'CreateGrant',
        {
          KeyId: KeyMetadata!.Arn!,
          GranteePrincipal: `arn:aws:iam::${ACCOUNT}:root`,
          Operations: ['Decrypt'],
        },
        attacher,
      ),
    );
    expect(direct.code).toBe('AccessDeniedException');
  });
});

describe('snapshots', () => {
  it('CopySnapshot to another Region re-encrypts under a key of that Region', async () => {
    const { KeyMetadata: east } = await kms.call('CreateKey', {});
    const v = await kms.service('ec2', 'CreateVolume', {
      AvailabilityZone: 'us-east-1a',
      Size: 8,
      Encrypted: true,
      KmsKeyId: east!.Arn,
    });
    const from0 = kms.trail().length;
    const snap = await kms.service('ec2', 'CreateSnapshot', { VolumeId: v.VolumeId });
    expect(snap).toMatchObject({ Encrypted: true, KmsKeyId: east!.Arn, VolumeId: v.VolumeId });
    expect(kmsRecords(kms, from0)).toEqual([]);

    const west = kms.callerFor(`arn:aws:iam::${ACCOUNT}:root`, { region: 'eu-west-1' });
    const { KeyMetadata: westKey } = await kms.call('CreateKey', {}, west);
    // A key of the source Region cannot protect the copy.
    const wrong = await rejection(
      kms.service(
        'ec2',
        'CopySnapshot',
        {
          SourceRegion: 'us-east-1',
          SourceSnapshotId: snap.SnapshotId,
          Encrypted: true,
          KmsKeyId: east!.Arn,
        },
        west,
      ),
    );
    expect(wrong.code).toBe('InvalidParameterValue');

    const from = kms.trail().length;
    const copy = await kms.service(
      'ec2',
      'CopySnapshot',
      {
        SourceRegion: 'us-east-1',
        SourceSnapshotId: snap.SnapshotId,
        Encrypted: true,
        KmsKeyId: westKey!.KeyId,
      },
      west,
    );
    const calls = kmsRecords(kms, from);
    expect(calls.map((r) => [r.eventName, r.awsRegion, r.resources![0]!.ARN])).toEqual([
      ['Decrypt', 'us-east-1', east!.Arn],
      ['GenerateDataKeyWithoutPlaintext', 'eu-west-1', westKey!.Arn],
    ]);
    expect(calls[0]!.requestParameters!.encryptionContext).toEqual({ 'aws:ebs:id': v.VolumeId });
    expect(calls[1]!.requestParameters!.encryptionContext).toEqual({ 'aws:ebs:id': copy.SnapshotId });
    const described = await kms.service('ec2', 'DescribeSnapshots', { SnapshotIds: [copy.SnapshotId] }, west);
    expect((described.Snapshots as object[])[0]).toMatchObject({ Encrypted: true, KmsKeyId: westKey!.Arn });

    // Without a KmsKeyId, the destination Region's default (aws/ebs of eu-west-1) protects the copy.
    const copy2 = await kms.service(
      'ec2',
      'CopySnapshot',
      { SourceRegion: 'us-east-1', SourceSnapshotId: snap.SnapshotId },
      west,
    );
    const s2 = (await kms.service('ec2', 'DescribeSnapshots', { SnapshotIds: [copy2.SnapshotId] }, west))
      .Snapshots as { KmsKeyId: string }[];
    const westManaged = kms.keys().find((k) => k.keyManager === 'AWS' && k.region === 'eu-west-1')!;
    expect(s2[0]!.KmsKeyId).toBe(westManaged.arn);

    // A volume restored from the copy in eu-west-1 uses the eu-west-1 key.
    const restored = await kms.service(
      'ec2',
      'CreateVolume',
      { AvailabilityZone: 'eu-west-1a', SnapshotId: copy.SnapshotId },
      west,
    );
    expect(restored).toMatchObject({ Encrypted: true, KmsKeyId: westKey!.Arn, Size: 8 });
  });
});
