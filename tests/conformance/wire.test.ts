/** The AWS JSON 1.1 wire format itself, over raw HTTP: what SDKs never send but servers must answer. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64, identityFromHeaders } from '../../src/kms/protocol/index.ts';
import { startApiServer, type ApiServer } from '../../src/node/server.ts';
import { ACCOUNT, labCall, rawCall } from './harness.ts';

let server: ApiServer;
beforeAll(async () => {
  server = await startApiServer({ port: 0 });
});
afterAll(() => server.close());

async function expectWireError(res: Response, type: string, message?: string) {
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
  const body = (await res.json()) as { __type: string; message: string };
  expect(body.__type).toBe(type);
  expect(typeof body.message).toBe('string');
  if (message !== undefined) expect(body.message).toBe(message);
}

describe('KMS Lab HTTP endpoint (raw AWS JSON 1.1)', () => {
  it('encodes blobs as base64 and timestamps as epoch seconds', async () => {
    const created = await rawCall(server.url, 'TrentService.CreateKey', '{}');
    expect(created.status).toBe(200);
    expect(created.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    const { KeyMetadata } = (await created.json()) as { KeyMetadata: { Arn: string; CreationDate: unknown } };
    expect(typeof KeyMetadata.CreationDate).toBe('number');
    expect(Math.abs((KeyMetadata.CreationDate as number) * 1000 - Date.now())).toBeLessThan(60_000);

    const enc = await rawCall(
      server.url,
      'TrentService.Encrypt',
      JSON.stringify({ KeyId: KeyMetadata.Arn, Plaintext: 'aGVsbG8=' }),
    );
    const { CiphertextBlob } = (await enc.json()) as { CiphertextBlob: string };
    expect(decodeBase64(CiphertextBlob)).toBeInstanceOf(Uint8Array);
    const dec = await rawCall(server.url, 'TrentService.Decrypt', JSON.stringify({ CiphertextBlob }));
    expect(await dec.json()).toMatchObject({ KeyId: KeyMetadata.Arn, Plaintext: 'aGVsbG8=' });
  });

  it('answers an unknown or missing X-Amz-Target with UnknownOperationException', async () => {
    await expectWireError(
      await rawCall(server.url, 'TrentService.MakeCoffee', '{}'),
      'UnknownOperationException',
    );
    await expectWireError(await rawCall(server.url, undefined, '{}'), 'UnknownOperationException');
    await expectWireError(
      await rawCall(server.url, 'DynamoDB_20120810.ListTables', '{}'),
      'UnknownOperationException',
    );
    await expectWireError(await labCall(server.url, 'constructor'), 'UnknownOperationException');
  });

  it('answers malformed bodies and wrong types with SerializationException', async () => {
    await expectWireError(
      await rawCall(server.url, 'TrentService.ListKeys', '{"Limit":'),
      'SerializationException',
    );
    await expectWireError(
      await rawCall(server.url, 'TrentService.ListKeys', '[]'),
      'SerializationException',
      'Start of list found where not expected',
    );
    await expectWireError(
      await rawCall(server.url, 'TrentService.ListKeys', '"keys"'),
      'SerializationException',
      'STRING_VALUE can not be converted to a Structure',
    );
    await expectWireError(
      await rawCall(server.url, 'TrentService.DescribeKey', '{"KeyId": 42}'),
      'SerializationException',
      'NUMBER_VALUE can not be converted to a String',
    );
    await expectWireError(
      await rawCall(server.url, 'TrentService.Encrypt', '{"KeyId":"alias/x","Plaintext":"not base64!"}'),
      'SerializationException',
    );
  });

  it('returns AWS error bodies for engine errors', async () => {
    await expectWireError(
      await rawCall(server.url, 'TrentService.DescribeKey', '{"KeyId":"fake-key-id"}'),
      'NotFoundException',
      "Invalid keyId 'fake-key-id'",
    );
    await expectWireError(
      await rawCall(server.url, 'TrentService.GenerateRandom', '{"NumberOfBytes":1025}'),
      'ValidationException',
      "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
    );
  });

  it('takes the Region from the credential scope of the Authorization header', async () => {
    const res = await rawCall(server.url, 'TrentService.CreateKey', '{}', 'ap-southeast-2');
    const { KeyMetadata } = (await res.json()) as { KeyMetadata: { Arn: string } };
    expect(KeyMetadata.Arn).toMatch(new RegExp(`^arn:aws:kms:ap-southeast-2:${ACCOUNT}:key/`));
  });

  it('serves the KmsLab clock and reset controls', async () => {
    const t0 = (await (await labCall(server.url, 'GetTime')).json()) as { Now: number };
    expect(typeof t0.Now).toBe('number');
    const advanced = await labCall(server.url, 'AdvanceClock', { Seconds: 3600 });
    expect(advanced.status).toBe(200);
    const { Now, FiredEvents } = (await advanced.json()) as { Now: number; FiredEvents: unknown[] };
    expect(Now - t0.Now).toBeGreaterThanOrEqual(3600);
    expect(FiredEvents).toEqual([]);
    await expectWireError(await labCall(server.url, 'AdvanceClock', { Seconds: -1 }), 'ValidationException');
    await expectWireError(await labCall(server.url, 'AdvanceClock', {}), 'ValidationException');
    await expectWireError(
      await labCall(server.url, 'AdvanceClock', { Seconds: 'soon' }),
      'SerializationException',
    );

    const reset = await labCall(server.url, 'ResetWorld');
    expect(reset.status).toBe(200);
    expect(await reset.json()).toEqual({});
    const keys = await rawCall(server.url, 'TrentService.ListKeys', '{}');
    expect(await keys.json()).toEqual({ Keys: [], Truncated: false });
  });

  it('refuses anything but POST', async () => {
    const res = await fetch(server.url);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});

describe('protocol helpers', () => {
  it('reads access key and Region from SigV4, else from the kms.<region> host', () => {
    expect(
      identityFromHeaders({
        Authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/us-west-2/kms/aws4_request, SignedHeaders=host, Signature=abc',
      }),
    ).toEqual({ accessKeyId: 'AKIDEXAMPLE', region: 'us-west-2' });
    expect(identityFromHeaders({}, 'kms.eu-west-1.amazonaws.com')).toEqual({ region: 'eu-west-1' });
    expect(identityFromHeaders({ host: 'kms-fips.ap-southeast-2.amazonaws.com:443' })).toEqual({
      region: 'ap-southeast-2',
    });
    expect(identityFromHeaders({ host: '127.0.0.1:4599' })).toEqual({ region: 'us-east-1' });
  });

  it('round-trips base64 like node:buffer and rejects what is not base64', () => {
    for (let n = 0; n < 12; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n * 31) & 0xff);
      const b64 = Buffer.from(bytes).toString('base64');
      expect(encodeBase64(bytes)).toBe(b64);
      expect(decodeBase64(b64)).toEqual(bytes);
      expect(decodeBase64(b64.replace(/=+$/, ''))).toEqual(bytes);
    }
    for (const bad of ['a', 'ab!c', 'ab c', 'a=bc', 'abc==', '====', 'ab-_'])
      expect(decodeBase64(bad)).toBeUndefined();
  });
});
