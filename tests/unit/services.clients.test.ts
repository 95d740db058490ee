/**
 * SDK-shaped service clients for scripts (`s3.putObject({ … })`), generated from the registry's
 * service operations, and the same operations as AWS CLI commands (`aws rds create-db-instance`).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryFs, runCli } from '../../src/cli/index.ts';
import { cliServices } from '../../src/cli/services.ts';
import type { Kms } from '../../src/kms/index.ts';
import {
  createServiceClients,
  SERVICE_CLIENTS,
  serviceOperations,
  type ServiceClients,
} from '../../src/kms/services/index.ts';
import { methodName, serviceClientDeclarations } from '../../src/kms/services/clients.ts';
import { bytes, kmsRecords, newKms, rejection, text, userWith } from './servicesHelpers.ts';

let kms: Kms;
let clients: ServiceClients;
beforeEach(async () => {
  kms = await newKms();
  clients = createServiceClients((op, input) => kms.send(op, input));
});

describe('createServiceClients', () => {
  it('one lowerCamelCase method per registered service operation', () => {
    expect(Object.keys(clients).sort()).toEqual(
      ['ec2', 'rds', 'redshift', 's3', 'secretsManager', 'ssm'].sort(),
    );
    for (const op of serviceOperations) {
      const [prefix, action] = op.name.split(':') as [keyof typeof SERVICE_CLIENTS, string];
      expect(typeof clients[SERVICE_CLIENTS[prefix]][methodName(action)], op.name).toBe('function');
    }
    const count = Object.values(clients).reduce((n, c) => n + Object.keys(c).length, 0);
    expect(count).toBe(serviceOperations.length);
    expect(kms.serviceOperations().sort()).toEqual(serviceOperations.map((o) => o.name).sort());
    expect(methodName('CreateDBInstance')).toBe('createDBInstance');
    expect(Object.isFrozen(clients.s3)).toBe(true);
  });

  it('calls go through the engine: S3, EBS, SSM, Secrets Manager, RDS, Redshift', async () => {
    const { s3, ec2, ssm, secretsManager, rds, redshift } = clients;
    await s3.createBucket!({ Bucket: 'docs' });
    await s3.putObject!({ Bucket: 'docs', Key: 'a.txt', Body: bytes('hello') });
    expect(text((await s3.getObject!({ Bucket: 'docs', Key: 'a.txt' })).Body)).toBe('hello');

    const vol = await ec2.createVolume!({ AvailabilityZone: 'us-east-1a', Size: 8, Encrypted: true });
    expect(vol.Encrypted).toBe(true);

    await ssm.putParameter!({ Name: '/app/db', Value: 'pw', Type: 'SecureString' });
    expect(
      ((await ssm.getParameter!({ Name: '/app/db', WithDecryption: true })).Parameter as { Value: string })
        .Value,
    ).toBe('pw');

    await secretsManager.createSecret!({ Name: 'api', SecretString: 'token' });
    expect((await secretsManager.getSecretValue!({ SecretId: 'api' })).SecretString).toBe('token');

    const from = kms.trail().length;
    const db = await rds.createDBInstance!({
      DBInstanceIdentifier: 'orders',
      DBInstanceClass: 'db.t3.micro',
      Engine: 'mysql',
      StorageEncrypted: true,
    });
    expect((db.DBInstance as { StorageEncrypted: boolean }).StorageEncrypted).toBe(true);
    expect(kmsRecords(kms, from).every((r) => r.userAgent === 'rds.amazonaws.com')).toBe(true);
    const cluster = await redshift.createCluster!({
      ClusterIdentifier: 'wh',
      NodeType: 'ra3.xlplus',
      MasterUsername: 'awsuser',
      Encrypted: true,
    });
    expect((cluster.Cluster as { Encrypted: boolean }).Encrypted).toBe(true);
    expect(((await rds.describeDBInstances!()).DBInstances as unknown[]).length).toBe(1);
  });

  it('errors and two-key denials arrive as the service reports them', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    await clients.secretsManager.createSecret!({
      Name: 'app',
      SecretString: 'x',
      KmsKeyId: KeyMetadata!.Arn,
    });
    const reader = await userWith(kms, 'reader', ['secretsmanager:GetSecretValue']);
    const asReader = createServiceClients((op, input) => kms.send(op, input, reader));
    const e = await rejection(asReader.secretsManager.getSecretValue!({ SecretId: 'app' }));
    expect(e.explanation).toMatchObject({ missingPermission: 'kms:Decrypt' });
  });

  it('declarations for an editor name every method with its input shape', () => {
    const d = serviceClientDeclarations();
    expect(d).toContain('declare const s3: {');
    expect(d).toContain('putObject(input: {');
    expect(d).toContain('declare const secretsManager: {');
    expect(d).toMatch(/createDBInstance\(input: \{\n\s+DBInstanceIdentifier: string;/);
    expect(d).toMatch(/describeDBInstances\(input\?: \{/);
    expect(d).toContain('StorageEncrypted?: boolean;');
  });
});

describe('CLI commands from the registry', () => {
  it('s3api, ec2, ssm, secretsmanager, rds and redshift commands exist beside kms and iam', () => {
    const services = cliServices();
    expect([...services.keys()]).toEqual([
      'ec2',
      'iam',
      'kms',
      'rds',
      'redshift',
      's3api',
      'secretsmanager',
      'ssm',
    ]);
    expect(services.get('rds')!.commands.get('create-db-instance')!.operation).toBe('CreateDBInstance');
    expect(services.get('s3api')!.commands.get('put-object')!.operation).toBe('PutObject');
    expect(services.get('redshift')!.commands.get('rotate-encryption-key')).toBeDefined();
    expect(services.get('kms')!.commands.has('put-object')).toBe(false);
  });

  it('aws rds create-db-instance --storage-encrypted runs as RDS calling KMS', async () => {
    const r = await runCli(
      'aws rds create-db-instance --db-instance-identifier cli-db --db-instance-class db.t3.micro --engine postgres --storage-encrypted --query DBInstance.[StorageEncrypted,DBInstanceStatus] --output text',
      { kms, fs: new MemoryFs({}), env: {} },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('True\tavailable');
    expect(r.calls[0]).toMatchObject({ service: 'rds', operation: 'CreateDBInstance' });
    const denied = await runCli('aws redshift describe-clusters --cluster-identifier nope', {
      kms,
      fs: new MemoryFs({}),
      env: {},
    });
    expect(denied.stderr).toContain(
      'An error occurred (ClusterNotFound) when calling the DescribeClusters operation',
    );
  });
});
