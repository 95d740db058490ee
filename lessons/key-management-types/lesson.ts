import { check, events, keyOf, need } from '../../src/learn/checks.ts';
import type { Lesson } from '../../src/learn/types.ts';

const bucket = (w: Parameters<typeof keyOf>[0], name: string) =>
  w.resources.find((r) => r.kind === 's3:bucket' && (r.data as { name: string }).name === name)?.data as
    | { encryption: { SSEAlgorithm: string; KMSMasterKeyID?: string }; kmsRequests: Record<string, number> }
    | undefined;

export const lesson: Lesson = {
  id: 'key-management-types',
  title: 'Customer managed, AWS managed and AWS owned keys',
  intro:
    'Three kinds of KMS key protect your data. Customer managed keys are yours: you set their policy, ' +
    'rotation and deletion. AWS managed keys (`alias/aws/<service>`) are created in your account by a ' +
    'service the first time it needs one; you can see and audit them but not change them or use them ' +
    'directly. AWS owned keys live in AWS accounts: you never see them and they cost nothing.',
  tags: {
    areas: ['key-types', 'services'],
    domains: ['SCS: Data Protection', 'SAA: Design Secure Architectures'],
  },
  world: { KmsLabScenario: 1, Accounts: { '111122223333': {} } },
  steps: [
    {
      id: 'aws-managed',
      text:
        'Create the S3 bucket `reports` with default encryption SSE-KMS and no key named, then upload an ' +
        'object. S3 creates the AWS managed key `alias/aws/s3` for you.',
      check: check('an AWS managed key alias/aws/s3 exists and S3 generated a data key with it', (w) => {
        const k = keyOf(w, 'alias/aws/s3');
        if (!k || k.keyManager !== 'AWS')
          return need('the AWS managed key alias/aws/s3 (upload to an SSE-KMS bucket)');
        return (
          events(w, 'GenerateDataKey', { ok: true, keyArn: k.arn }).length > 0 ||
          need('an upload that uses it')
        );
      }),
      hints: [
        { level: 'nudge', text: 'A bucket, its default encryption, then PutObject.' },
        {
          level: 'concept',
          text: "SSEAlgorithm 'aws:kms' without KMSMasterKeyID means the AWS managed key aws/s3.",
        },
        {
          level: 'call',
          text: "`await s3.putBucketEncryption({ Bucket: 'reports', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] } })`",
        },
      ],
    },
    {
      id: 'not-directly',
      text: 'Try to Encrypt directly with `alias/aws/s3`. AWS managed keys work only through their service.',
      check: check(
        'an Encrypt with alias/aws/s3 that was denied',
        (w) =>
          events(w, 'Encrypt', { ok: 'AccessDeniedException' }).some((r) =>
            String(r.requestParameters?.['keyId'] ?? '').includes('aws/s3'),
          ) || need('a direct Encrypt with alias/aws/s3 (it is denied)'),
      ),
      hints: [
        { level: 'nudge', text: 'Use the alias as the KeyId of an ordinary Encrypt.' },
        {
          level: 'concept',
          text: 'The policy of an AWS managed key allows use only with kms:ViaService of its service.',
        },
        {
          level: 'call',
          text: "`await kms.encrypt({ KeyId: 'alias/aws/s3', Plaintext: lab.utf8('x') })` in try/catch",
        },
      ],
    },
    {
      id: 'aws-owned',
      text:
        'Create a second bucket `public-site` with SSE-S3 (`AES256`) and upload an object. It is encrypted with ' +
        'an AWS owned key: no KMS call, nothing new in your key list.',
      check: check('bucket public-site uses SSE-S3 (AES256) and made no KMS request', (w) => {
        const b = bucket(w, 'public-site');
        if (!b) return need('a bucket public-site');
        if (b.encryption.SSEAlgorithm !== 'AES256') return 'public-site must use AES256 (SSE-S3)';
        const count = w.resources.filter(
          (r) => r.kind === 's3:object' && (r.data as { bucket: string }).bucket === 'public-site',
        ).length;
        return (count > 0 && Object.keys(b.kmsRequests).length === 0) || need('an object in public-site');
      }),
      hints: [
        { level: 'nudge', text: 'SSE-S3 is the default encryption of a new bucket.' },
        {
          level: 'concept',
          text: 'AES256 (SSE-S3) uses keys S3 owns; it never calls KMS and never shows in your trail.',
        },
        {
          level: 'call',
          text: "`await s3.createBucket({ Bucket: 'public-site' }); await s3.putObject({ Bucket: 'public-site', Key: 'index.html', Body: lab.utf8('<h1>hi</h1>') })`",
        },
      ],
    },
  ],
  solution: `await s3.createBucket({ Bucket: 'reports' });
await s3.putBucketEncryption({
  Bucket: 'reports',
  ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] },
});
await s3.putObject({ Bucket: 'reports', Key: 'q1.csv', Body: lab.utf8('revenue,42') });
try {
  await kms.encrypt({ KeyId: 'alias/aws/s3', Plaintext: lab.utf8('x') });
} catch (e) {
  console.log('direct use:', e.name);
}
await s3.createBucket({ Bucket: 'public-site' });
await s3.putObject({ Bucket: 'public-site', Key: 'index.html', Body: lab.utf8('<h1>hi</h1>') });
`,
  par: 6,
  minutes: 5,
};
