/** The AWS Encryption SDK for JavaScript, unchanged, using KMS Lab's HTTP endpoint as its KMS. */
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { buildClient, CommitmentPolicy, getClient, KMS, KmsKeyringNode } from '@aws-crypto/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../src/node/server.ts';
import { credentials } from './harness.ts';

let server: ApiServer;
beforeAll(async () => {
  server = await startApiServer({ port: 0 });
});
afterAll(() => server.close());

it('encrypts and decrypts a message with KmsKeyringNode against the KMS Lab endpoint', async () => {
  const region = 'us-west-2';
  const admin = new KMS({ region, credentials, endpoint: server.url, maxAttempts: 1 });
  const { KeyMetadata } = await admin.send(new CreateKeyCommand({ Description: 'esdk' }));
  const keyArn = KeyMetadata!.Arn!;

  const clientProvider = getClient(KMS, { endpoint: server.url, credentials, region, maxAttempts: 1 });
  const keyring = new KmsKeyringNode({ generatorKeyId: keyArn, clientProvider });
  const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const context = { stage: 'conformance', purpose: 'round trip' };

  const { result: message } = await encrypt(keyring, 'attack at dawn', { encryptionContext: context });
  expect(message.length).toBeGreaterThan(100);
  const { plaintext, messageHeader } = await decrypt(keyring, message);
  expect(plaintext.toString('utf8')).toBe('attack at dawn');
  expect(messageHeader.encryptionContext).toMatchObject(context);
  expect(messageHeader.encryptedDataKeys.map((k) => k.providerInfo)).toEqual([keyArn]);

  const calls = server.kms
    .trail()
    .filter((r) => r.awsRegion === region && r.eventName !== 'CreateKey')
    .map((r) => ({ eventName: r.eventName, errorCode: r.errorCode, keys: r.resources?.map((k) => k.ARN) }));
  expect(calls).toEqual([
    { eventName: 'GenerateDataKey', errorCode: undefined, keys: [keyArn] },
    { eventName: 'Decrypt', errorCode: undefined, keys: [keyArn] },
  ]);
});
