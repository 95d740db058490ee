/**
 * Two ways of reaching the same engine with the real `@aws-sdk/client-kms`: in-process (a custom
 * smithy requestHandler, as the lab's script runner does) and over HTTP (`npm run api`'s server,
 * as the AWS CLI and SDKs do with `endpoint`). Each conformance suite runs against both.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import { expect } from 'vitest';
import { createKms, MemoryStore, rootPrincipal, type Kms } from '../../src/kms/index.ts';
import { createInProcessRequestHandler, handleJsonRequest } from '../../src/kms/protocol/index.ts';
import { startApiServer } from '../../src/node/server.ts';

export const ACCOUNT = '111122223333';
export const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG' };

export interface Transport {
  readonly name: string;
  readonly kms: Kms;
  /** A KMSClient for `region`, signed with fake credentials, never retrying. */
  client(region: string): KMSClient;
  /** `KmsLab.AdvanceClock` over this transport's wire. */
  advanceClock(seconds: number): Promise<{ Now: number; FiredEvents: { Kind: string; KeyArn: string }[] }>;
  close(): Promise<void>;
}

export async function inProcessTransport(): Promise<Transport> {
  const kms = await createKms({ store: new MemoryStore() });
  const requestHandler = createInProcessRequestHandler(kms);
  return {
    name: 'in-process',
    kms,
    client: (region) => new KMSClient({ region, credentials, maxAttempts: 1, requestHandler }),
    async advanceClock(seconds) {
      const out = await handleJsonRequest(kms, {
        target: 'KmsLab.AdvanceClock',
        body: JSON.stringify({ Seconds: seconds }),
        caller: { principal: rootPrincipal(ACCOUNT), region: 'us-east-1', source: 'test' },
      });
      expect(out.status).toBe(200);
      return JSON.parse(out.body);
    },
    close: async () => {},
  };
}

export async function httpTransport(): Promise<Transport> {
  const server = await startApiServer({ port: 0 });
  return {
    name: 'http',
    kms: server.kms,
    client: (region) => new KMSClient({ region, credentials, maxAttempts: 1, endpoint: server.url }),
    async advanceClock(seconds) {
      const res = await labCall(server.url, 'AdvanceClock', { Seconds: seconds });
      expect(res.status).toBe(200);
      return res.json();
    },
    close: () => server.close(),
  };
}

/** A raw AWS JSON 1.1 POST, for what an SDK cannot send. */
export function rawCall(url: string, target: string | undefined, body: string, region = 'us-east-1') {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      ...(target !== undefined ? { 'x-amz-target': target } : {}),
      authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/20261128/${region}/kms/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=0000`,
    },
    body,
  });
}

export const labCall = (url: string, control: string, input: unknown = {}) =>
  rawCall(url, `KmsLab.${control}`, JSON.stringify(input));

/** Asserts a KMS call fails with exactly AWS's exception name and message, as HTTP 400. */
export async function expectKmsError(call: Promise<unknown>, name: string, message: string) {
  const err = await call.then(
    () => expect.fail(`expected ${name}, but the call succeeded`),
    (e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number }; $fault?: string },
  );
  expect({ name: err.name, message: err.message }).toEqual({ name, message });
  expect(err.$metadata?.httpStatusCode).toBe(400);
  expect(err.$fault).toBe('client');
}
