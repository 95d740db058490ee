import { check, need } from '../../src/learn/checks.ts';
import type { Lesson, WorldView } from '../../src/learn/types.ts';

const KEY = 'b1708293-6475-4081-a293-0e1f20314253';
const arn = `arn:aws:kms:us-east-1:111122223333:key/${KEY}`;

const of = <T>(w: WorldView, kind: string) =>
  w.resources.filter((r) => r.kind === kind).map((r) => r.data as T);

export const lesson: Lesson = {
  id: 'service-integrations',
  title: 'S3 bucket keys, EBS and SSM with your own key',
  intro:
    'AWS services encrypt with KMS on your behalf: S3 (SSE-KMS), EBS volumes and SSM SecureString parameters. ' +
    'With a customer managed key you control who can read the data, and each read needs both the service ' +
    'permission and kms:Decrypt. S3 Bucket Keys cut the KMS requests (and cost) of busy buckets.',
  tags: {
    areas: ['services', 'envelope-encryption'],
    domains: ['SCS: Data Protection', 'SAA: Design Secure Architectures'],
  },
  world: {
    KmsLabScenario: 1,
    Accounts: { '111122223333': { Keys: [{ KeyId: KEY, Aliases: ['alias/data'] }] } },
  },
  steps: [
    {
      id: 's3-bucket-key',
      text:
        'Create the bucket `invoices` with default SSE-KMS under `alias/data` and Bucket Key enabled, then upload ' +
        'three objects. With a bucket key, S3 asks KMS for one key, not one per object.',
      check: check(
        'bucket invoices uses the data key with a bucket key, holds ≥ 3 objects, and made fewer GenerateDataKey calls than uploads',
        (w) => {
          const b = of<{
            name: string;
            encryption: { KMSMasterKeyID?: string; BucketKeyEnabled: boolean };
            kmsRequests: Record<string, number>;
          }>(w, 's3:bucket').find((x) => x.name === 'invoices');
          if (!b) return need('a bucket invoices');
          if (!b.encryption.BucketKeyEnabled || !b.encryption.KMSMasterKeyID)
            return 'configure SSE-KMS with alias/data and BucketKeyEnabled';
          const objects = of<{ bucket: string; kmsKeyArn?: string }>(w, 's3:object').filter(
            (o) => o.bucket === 'invoices' && o.kmsKeyArn === arn,
          );
          if (objects.length < 3) return need('three objects encrypted under the data key');
          return (
            (b.kmsRequests['GenerateDataKey'] ?? 0) < objects.length ||
            'each upload called KMS: is the bucket key on?'
          );
        },
      ),
      hints: [
        { level: 'nudge', text: 'PutBucketEncryption has a BucketKeyEnabled flag next to the rule.' },
        {
          level: 'concept',
          text: 'A bucket key is a data key S3 caches for a while and uses to derive per-object keys.',
        },
        {
          level: 'call',
          text: "`await s3.putBucketEncryption({ Bucket: 'invoices', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/data' }, BucketKeyEnabled: true }] } })`",
        },
      ],
    },
    {
      id: 'ebs',
      text: 'Turn on EBS encryption by default with `alias/data` as the default key, and create an 8 GiB volume.',
      check: check(
        'an encrypted EBS volume under the data key',
        (w) =>
          of<{ encrypted: boolean; kmsKeyArn?: string }>(w, 'ec2:volume').some(
            (v) => v.encrypted && v.kmsKeyArn === arn,
          ) || need('a volume encrypted with alias/data'),
      ),
      hints: [
        { level: 'nudge', text: 'Two account settings, then CreateVolume without any encryption parameter.' },
        { level: 'concept', text: 'Encryption by default applies to every new volume in the Region.' },
        {
          level: 'call',
          text: "`await ec2.enableEbsEncryptionByDefault({}); await ec2.modifyEbsDefaultKmsKeyId({ KmsKeyId: 'alias/data' }); await ec2.createVolume({ AvailabilityZone: 'us-east-1a', Size: 8 })`",
        },
      ],
    },
    {
      id: 'ssm',
      text: 'Store the database password `/app/db-password` in SSM Parameter Store as a SecureString under `alias/data`.',
      check: check(
        'a SecureString parameter /app/db-password under the data key',
        (w) =>
          of<{ name: string; type: string; kmsKeyArn?: string }>(w, 'ssm:parameter').some(
            (p) => p.name === '/app/db-password' && p.type === 'SecureString' && p.kmsKeyArn === arn,
          ) || need('PutParameter SecureString with KeyId alias/data'),
      ),
      hints: [
        { level: 'nudge', text: 'Without a KeyId, SSM uses the AWS managed key aws/ssm.' },
        {
          level: 'concept',
          text: 'Reading it back with WithDecryption needs kms:Decrypt on alias/data too.',
        },
        {
          level: 'call',
          text: "`await ssm.putParameter({ Name: '/app/db-password', Value: 's3cr3t', Type: 'SecureString', KeyId: 'alias/data' })`",
        },
      ],
    },
  ],
  solution: `await s3.createBucket({ Bucket: 'invoices' });
await s3.putBucketEncryption({
  Bucket: 'invoices',
  ServerSideEncryptionConfiguration: {
    Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/data' }, BucketKeyEnabled: true }],
  },
});
for (const n of [1, 2, 3]) await s3.putObject({ Bucket: 'invoices', Key: \`inv-\${n}.pdf\`, Body: lab.utf8(\`invoice \${n}\`) });
await ec2.enableEbsEncryptionByDefault({});
await ec2.modifyEbsDefaultKmsKeyId({ KmsKeyId: 'alias/data' });
await ec2.createVolume({ AvailabilityZone: 'us-east-1a', Size: 8 });
await ssm.putParameter({ Name: '/app/db-password', Value: 's3cr3t', Type: 'SecureString', KeyId: 'alias/data' });
`,
  par: 9,
  minutes: 7,
};
