/**
 * RDS encryption (kms-api.md §15): encrypted DB instances with `aws:rds:db-id` and RDS's grant,
 * encryption only at creation (snapshot → encrypted copy → restore), cross-Region read replicas
 * needing a key of the destination Region, an instance inaccessible after its key is disabled.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Kms } from '../../src/kms/index.ts';
import { ACCOUNT, kmsRecords, newKms, rejection, userWith } from './servicesHelpers.ts';

let kms: Kms;
beforeEach(async () => {
  kms = await newKms();
});

type DB = {
  DBInstanceIdentifier: string;
  DBInstanceStatus: string;
  StorageEncrypted: boolean;
  KmsKeyId?: string;
  DbiResourceId: string;
  DBInstanceArn: string;
  ReadReplicaSourceDBInstanceIdentifier?: string;
  ReadReplicaDBInstanceIdentifiers: string[];
};
type Snap = { DBSnapshotIdentifier: string; Encrypted: boolean; KmsKeyId?: string; DBSnapshotArn: string };

const createDb = async (input: Record<string, unknown>, caller?: Parameters<Kms['service']>[3]) =>
  (
    await kms.service(
      'rds',
      'CreateDBInstance',
      { DBInstanceClass: 'db.t3.micro', Engine: 'postgres', AllocatedStorage: 20, ...input },
      caller,
    )
  ).DBInstance as DB;

const describeDb = async (id: string, caller?: Parameters<Kms['service']>[3]) =>
  (
    (await kms.service('rds', 'DescribeDBInstances', { DBInstanceIdentifier: id }, caller))
      .DBInstances as DB[]
  )[0]!;

describe('CreateDBInstance', () => {
  it('StorageEncrypted: DescribeKey, CreateGrant for RDS, GenerateDataKeyWithoutPlaintext with aws:rds:db-id, Decrypt by RDS', async () => {
    const from = kms.trail().length;
    const db = await createDb({
      DBInstanceIdentifier: 'Orders',
      MasterUsername: 'admin',
      MasterUserPassword: 'secret-password',
      StorageEncrypted: true,
    });
    const managed = kms.keys().find((k) => k.keyManager === 'AWS')!;
    expect(kms.aliases().find((a) => a.aliasName === 'alias/aws/rds')!.targetKeyId).toBe(managed.keyId);
    expect(db).toMatchObject({
      DBInstanceIdentifier: 'orders',
      DBInstanceStatus: 'available',
      StorageEncrypted: true,
      KmsKeyId: managed.arn,
      DBInstanceArn: `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders`,
    });
    expect(db.DbiResourceId).toMatch(/^db-[A-Z0-9]{26}$/);
    const context = { 'aws:rds:db-id': db.DbiResourceId };
    const calls = kmsRecords(kms, from);
    expect(calls.map((r) => r.eventName)).toEqual([
      'DescribeKey',
      'CreateGrant',
      'GenerateDataKeyWithoutPlaintext',
      'Decrypt',
    ]);
    const [describe, grant, gdk, decrypt] = calls;
    for (const r of [describe, grant, gdk])
      expect(r).toMatchObject({
        userAgent: 'rds.amazonaws.com',
        userIdentity: { type: 'Root', invokedBy: 'rds.amazonaws.com' },
      });
    expect(describe!.requestParameters).toEqual({ keyId: 'alias/aws/rds' });
    expect(grant!.requestParameters).toMatchObject({
      keyId: managed.arn,
      granteePrincipal: 'rds.us-east-1.amazonaws.com',
      retiringPrincipal: 'rds.us-east-1.amazonaws.com',
      constraints: { encryptionContextSubset: context },
    });
    expect(gdk!.requestParameters).toMatchObject({ keyId: managed.arn, encryptionContext: context });
    // RDS itself boots the instance with its grant.
    expect(decrypt).toMatchObject({
      userIdentity: { type: 'AWSService', invokedBy: 'rds.amazonaws.com' },
      requestParameters: { encryptionContext: context },
    });
    expect(decrypt!.errorCode).toBeUndefined();
    const grants = await kms.call('ListGrants', { KeyId: managed.keyId });
    expect(grants.Grants).toHaveLength(1);
    expect(grants.Grants![0]!.GranteePrincipal).toBe('rds.us-east-1.amazonaws.com');
    // The management call is in the trail, without the password.
    const mgmt = kms.trail().find((r) => r.eventName === 'CreateDBInstance')!;
    expect(mgmt.eventSource).toBe('rds.amazonaws.com');
    expect(JSON.stringify(mgmt)).not.toContain('secret-password');
  });

  it('a customer managed key; unencrypted instances make no KMS call', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    const db = await createDb({
      DBInstanceIdentifier: 'a',
      StorageEncrypted: true,
      KmsKeyId: KeyMetadata!.KeyId,
    });
    expect(db.KmsKeyId).toBe(KeyMetadata!.Arn);
    const from = kms.trail().length;
    const plain = await createDb({ DBInstanceIdentifier: 'b' });
    expect(plain.StorageEncrypted).toBe(false);
    expect(plain.KmsKeyId).toBeUndefined();
    expect(kmsRecords(kms, from)).toEqual([]);
    expect(
      (await rejection(createDb({ DBInstanceIdentifier: 'c', KmsKeyId: KeyMetadata!.KeyId }))).code,
    ).toBe('InvalidParameterCombination');
    expect((await rejection(createDb({ DBInstanceIdentifier: 'a' }))).code).toBe('DBInstanceAlreadyExists');
    // Asymmetric keys are refused.
    const { KeyMetadata: rsa } = await kms.call('CreateKey', {
      KeySpec: 'RSA_2048',
      KeyUsage: 'ENCRYPT_DECRYPT',
    });
    expect(
      (await rejection(createDb({ DBInstanceIdentifier: 'd', StorageEncrypted: true, KmsKeyId: rsa!.Arn })))
        .code,
    ).toBe('InvalidParameterValue');
  });
});

describe('two-key access', () => {
  it('rds:CreateDBInstance without KMS permissions is denied, naming the missing KMS permission', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    const input = { DBInstanceIdentifier: 'db1', StorageEncrypted: true, KmsKeyId: KeyMetadata!.Arn };
    const dba = await userWith(kms, 'dba', ['rds:CreateDBInstance']);
    const e = await rejection(createDb(input, dba));
    expect(e.code).toBe('KMSKeyNotAccessibleFault');
    expect(e.explanation).toMatchObject({
      rule: 'kms-permission-missing',
      servicePermission: 'rds:CreateDBInstance',
      missingPermission: 'kms:DescribeKey',
      keyArn: KeyMetadata!.Arn,
    });
    // With DescribeKey and CreateGrant but not GenerateDataKeyWithoutPlaintext: that one is named,
    // and RDS retires the grant it had created.
    const almost = await userWith(kms, 'almost', [
      'rds:CreateDBInstance',
      'kms:DescribeKey',
      'kms:CreateGrant',
    ]);
    const e2 = await rejection(createDb(input, almost));
    expect(e2.explanation).toMatchObject({ missingPermission: 'kms:GenerateDataKeyWithoutPlaintext' });
    expect((await kms.call('ListGrants', { KeyId: KeyMetadata!.KeyId! })).Grants).toEqual([]);
    expect((await rejection(describeDb('db1'))).code).toBe('DBInstanceNotFound');
    // Without the RDS permission, RDS's own AccessDenied.
    const kmsOnly = await userWith(kms, 'kmsonly', ['kms:*']);
    const e3 = await rejection(createDb(input, kmsOnly));
    expect(e3.code).toBe('AccessDenied');
    const full = await userWith(kms, 'full', [
      'rds:CreateDBInstance',
      'kms:DescribeKey',
      'kms:CreateGrant',
      'kms:GenerateDataKeyWithoutPlaintext',
    ]);
    expect((await createDb(input, full)).DBInstanceStatus).toBe('available');
  });

  it('the AWS managed key aws/rds needs no KMS permission in IAM (its key policy allows use through RDS)', async () => {
    const dba = await userWith(kms, 'dba', ['rds:CreateDBInstance']);
    const db = await createDb({ DBInstanceIdentifier: 'db1', StorageEncrypted: true }, dba);
    expect(db.StorageEncrypted).toBe(true);
  });
});

describe('encryption only at creation', () => {
  it('ModifyDBInstance cannot encrypt; snapshot → CopyDBSnapshot with KmsKeyId → restore does', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    const plain = await createDb({ DBInstanceIdentifier: 'legacy' });
    const e = await rejection(
      kms.service('rds', 'ModifyDBInstance', {
        DBInstanceIdentifier: 'legacy',
        StorageEncrypted: true,
        KmsKeyId: KeyMetadata!.Arn,
      }),
    );
    expect(e.code).toBe('InvalidParameterCombination');
    expect(e.message).toContain('only enable encryption for an RDS DB instance when you create it');
    expect((await describeDb('legacy')).StorageEncrypted).toBe(false);

    const from0 = kms.trail().length;
    const snap = (
      await kms.service('rds', 'CreateDBSnapshot', {
        DBInstanceIdentifier: 'legacy',
        DBSnapshotIdentifier: 'legacy-snap',
      })
    ).DBSnapshot as Snap;
    expect(snap.Encrypted).toBe(false);
    const from = kms.trail().length;
    expect(from).toBeGreaterThan(from0);
    const copy = (
      await kms.service('rds', 'CopyDBSnapshot', {
        SourceDBSnapshotIdentifier: 'legacy-snap',
        TargetDBSnapshotIdentifier: 'legacy-snap-encrypted',
        KmsKeyId: KeyMetadata!.KeyId,
      })
    ).DBSnapshot as Snap;
    expect(copy).toMatchObject({ Encrypted: true, KmsKeyId: KeyMetadata!.Arn });
    const copyCalls = kmsRecords(kms, from);
    expect(copyCalls.map((r) => r.eventName)).toEqual(['DescribeKey', 'GenerateDataKeyWithoutPlaintext']);
    expect(copyCalls[1]!.requestParameters!.encryptionContext).toEqual({
      'aws:rds:db-id': plain.DbiResourceId,
    });

    const from2 = kms.trail().length;
    const restored = (
      await kms.service('rds', 'RestoreDBInstanceFromDBSnapshot', {
        DBInstanceIdentifier: 'legacy-encrypted',
        DBSnapshotIdentifier: 'legacy-snap-encrypted',
      })
    ).DBInstance as DB;
    expect(restored).toMatchObject({
      StorageEncrypted: true,
      KmsKeyId: KeyMetadata!.Arn,
      DBInstanceStatus: 'available',
    });
    expect(restored.DbiResourceId).not.toBe(plain.DbiResourceId);
    const restoreCalls = kmsRecords(kms, from2);
    expect(restoreCalls.map((r) => [r.eventName, r.requestParameters!.encryptionContext ?? null])).toEqual([
      ['Decrypt', { 'aws:rds:db-id': plain.DbiResourceId }],
      ['DescribeKey', null],
      ['CreateGrant', null],
      ['GenerateDataKeyWithoutPlaintext', { 'aws:rds:db-id': restored.DbiResourceId }],
      ['Decrypt', { 'aws:rds:db-id': restored.DbiResourceId }],
    ]);
    // An encrypted instance's snapshot is encrypted under the same key, with no KMS call.
    const from3 = kms.trail().length;
    const s2 = (
      await kms.service('rds', 'CreateDBSnapshot', {
        DBInstanceIdentifier: 'legacy-encrypted',
        DBSnapshotIdentifier: 's2',
      })
    ).DBSnapshot as Snap;
    expect(s2).toMatchObject({ Encrypted: true, KmsKeyId: KeyMetadata!.Arn });
    expect(kmsRecords(kms, from3)).toEqual([]);
  });
});

describe('read replicas', () => {
  it('a cross-Region replica needs a KmsKeyId of the destination Region', async () => {
    const { KeyMetadata: east } = await kms.call('CreateKey', {});
    const src = await createDb({
      DBInstanceIdentifier: 'primary',
      StorageEncrypted: true,
      KmsKeyId: east!.Arn,
    });
    const west = kms.callerFor(`arn:aws:iam::${ACCOUNT}:root`, { region: 'eu-west-1' });
    const { KeyMetadata: westKey } = await kms.call('CreateKey', {}, west);

    const missing = await rejection(
      kms.service(
        'rds',
        'CreateDBInstanceReadReplica',
        { DBInstanceIdentifier: 'replica', SourceDBInstanceIdentifier: src.DBInstanceArn },
        west,
      ),
    );
    expect(missing.code).toBe('InvalidParameterCombination');
    expect(missing.message).toContain('KmsKeyId of the destination Region eu-west-1');
    // The source Region's key cannot be used in eu-west-1.
    const wrong = await rejection(
      kms.service(
        'rds',
        'CreateDBInstanceReadReplica',
        {
          DBInstanceIdentifier: 'replica',
          SourceDBInstanceIdentifier: src.DBInstanceArn,
          KmsKeyId: east!.Arn,
        },
        west,
      ),
    );
    expect(wrong.code).toBe('KMSKeyNotAccessibleFault');

    const from = kms.trail().length;
    const replica = (
      await kms.service(
        'rds',
        'CreateDBInstanceReadReplica',
        {
          DBInstanceIdentifier: 'replica',
          SourceDBInstanceIdentifier: src.DBInstanceArn,
          KmsKeyId: westKey!.KeyId,
        },
        west,
      )
    ).DBInstance as DB;
    expect(replica).toMatchObject({
      StorageEncrypted: true,
      KmsKeyId: westKey!.Arn,
      ReadReplicaSourceDBInstanceIdentifier: src.DBInstanceArn,
      DBInstanceArn: `arn:aws:rds:eu-west-1:${ACCOUNT}:db:replica`,
    });
    const calls = kmsRecords(kms, from);
    expect(calls.map((r) => [r.eventName, r.awsRegion])).toEqual([
      ['Decrypt', 'us-east-1'],
      ['DescribeKey', 'eu-west-1'],
      ['CreateGrant', 'eu-west-1'],
      ['GenerateDataKeyWithoutPlaintext', 'eu-west-1'],
      ['Decrypt', 'eu-west-1'],
    ]);
    expect(calls[0]!.resources![0]!.ARN).toBe(east!.Arn);
    expect(calls[2]!.requestParameters!.granteePrincipal).toBe('rds.eu-west-1.amazonaws.com');
    expect(calls[3]!.requestParameters!.encryptionContext).toEqual({
      'aws:rds:db-id': replica.DbiResourceId,
    });
    expect((await describeDb('primary')).ReadReplicaDBInstanceIdentifiers).toEqual([replica.DBInstanceArn]);

    // In the same Region the replica keeps the source's key without a KmsKeyId.
    const local = (
      await kms.service('rds', 'CreateDBInstanceReadReplica', {
        DBInstanceIdentifier: 'local-replica',
        SourceDBInstanceIdentifier: 'primary',
      })
    ).DBInstance as DB;
    expect(local).toMatchObject({ KmsKeyId: east!.Arn, ReadReplicaSourceDBInstanceIdentifier: 'primary' });
  });

  it('no encrypted replica of an unencrypted instance', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    await createDb({ DBInstanceIdentifier: 'plain' });
    const e = await rejection(
      kms.service('rds', 'CreateDBInstanceReadReplica', {
        DBInstanceIdentifier: 'r',
        SourceDBInstanceIdentifier: 'plain',
        KmsKeyId: KeyMetadata!.Arn,
      }),
    );
    expect(e.code).toBe('InvalidParameterCombination');
  });
});

describe('a disabled key', () => {
  it('leaves a running instance alone, and makes it inaccessible on the next reboot or start', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    await createDb({ DBInstanceIdentifier: 'db1', StorageEncrypted: true, KmsKeyId: KeyMetadata!.Arn });
    await createDb({ DBInstanceIdentifier: 'db2', StorageEncrypted: true, KmsKeyId: KeyMetadata!.Arn });
    await kms.service('rds', 'StopDBInstance', { DBInstanceIdentifier: 'db2' });
    await kms.call('DisableKey', { KeyId: KeyMetadata!.KeyId! });
    expect((await describeDb('db1')).DBInstanceStatus).toBe('available');

    const from = kms.trail().length;
    const rebooted = (await kms.service('rds', 'RebootDBInstance', { DBInstanceIdentifier: 'db1' }))
      .DBInstance as DB;
    expect(rebooted.DBInstanceStatus).toBe('inaccessible-encryption-credentials');
    const [decrypt] = kmsRecords(kms, from);
    expect(decrypt).toMatchObject({
      eventName: 'Decrypt',
      errorCode: 'DisabledException',
      userIdentity: { type: 'AWSService', invokedBy: 'rds.amazonaws.com' },
    });
    const started = (await kms.service('rds', 'StartDBInstance', { DBInstanceIdentifier: 'db2' }))
      .DBInstance as DB;
    expect(started.DBInstanceStatus).toBe('inaccessible-encryption-credentials');
    expect((await describeDb('db1')).DBInstanceStatus).toBe('inaccessible-encryption-credentials');
    // An inaccessible instance cannot be rebooted or snapshotted.
    expect(
      (await rejection(kms.service('rds', 'RebootDBInstance', { DBInstanceIdentifier: 'db1' }))).code,
    ).toBe('InvalidDBInstanceState');
    expect(
      (
        await rejection(
          kms.service('rds', 'CreateDBSnapshot', { DBInstanceIdentifier: 'db1', DBSnapshotIdentifier: 'x' }),
        )
      ).code,
    ).toBe('InvalidDBInstanceState');
    // Once the key is enabled again, a start brings it back.
    await kms.call('EnableKey', { KeyId: KeyMetadata!.KeyId! });
    const back = (await kms.service('rds', 'StartDBInstance', { DBInstanceIdentifier: 'db1' }))
      .DBInstance as DB;
    expect(back.DBInstanceStatus).toBe('available');
  });

  it("RDS's grant does the restart: the caller needs no KMS permission to reboot; deleting retires the grant", async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    await createDb({ DBInstanceIdentifier: 'db1', StorageEncrypted: true, KmsKeyId: KeyMetadata!.Arn });
    const ops = await userWith(kms, 'ops', ['rds:RebootDBInstance', 'rds:DeleteDBInstance']);
    const db = (await kms.service('rds', 'RebootDBInstance', { DBInstanceIdentifier: 'db1' }, ops))
      .DBInstance as DB;
    expect(db.DBInstanceStatus).toBe('available');
    expect((await kms.call('ListGrants', { KeyId: KeyMetadata!.KeyId! })).Grants).toHaveLength(1);
    const from = kms.trail().length;
    await kms.service(
      'rds',
      'DeleteDBInstance',
      { DBInstanceIdentifier: 'db1', SkipFinalSnapshot: true },
      ops,
    );
    expect(kmsRecords(kms, from).map((r) => [r.eventName, r.errorCode])).toEqual([
      ['RetireGrant', undefined],
    ]);
    expect((await kms.call('ListGrants', { KeyId: KeyMetadata!.KeyId! })).Grants).toEqual([]);
  });
});
