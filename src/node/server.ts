import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKms, MemoryStore, type Kms } from '../kms/index.ts';
import {
  accessKeyCallerFor,
  handleCloudHsmRequest,
  handleJsonRequest,
  isCloudHsmTarget,
  identityFromHeaders,
  JSON_CONTENT_TYPE,
  type CallerResolver,
} from '../kms/protocol/index.ts';
import { applyScenario, parseScenario, type AppliedScenario } from '../kms/scenario/index.ts';

/** The only interface the endpoint ever listens on: it is a local learning tool. */
export const API_HOST = '127.0.0.1';
export const DEFAULT_API_PORT = 4599;
/** Far above any KMS request (a 6 KiB ciphertext, a 32 KiB policy), far below harm. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface ApiServerOptions {
  /** TCP port; 0 picks a free one. Default 4599. */
  readonly port?: number;
  /** The world to serve; default: a fresh in-memory world whose clock runs with real time. */
  readonly kms?: Kms;
  /**
   * Maps a request's access key and Region to a caller. Default: IAM users' access keys act as
   * their users, seeded role sessions as their assumed roles, any other key as root of 111122223333.
   */
  readonly callerFor?: CallerResolver;
  /**
   * A scenario (docs/scenario-format.md; JSON text or parsed) to build the world from before
   * listening. A fresh world starts at its `Clock.Start`. Rejects with a ScenarioError if invalid.
   */
  readonly seed?: unknown;
}

export interface ApiServer {
  /** e.g. `http://127.0.0.1:4599` */
  readonly url: string;
  readonly port: number;
  readonly kms: Kms;
  /** What the seed scenario made, when there was one. */
  readonly seeded?: AppliedScenario;
  close(): Promise<void>;
}

/**
 * Serves the engine as a local, AWS-compatible KMS endpoint (AWS JSON 1.1 over HTTP) on
 * 127.0.0.1, for the AWS CLI (`--endpoint-url`), SDKs (`endpoint`) and the Encryption SDK.
 */
export async function startApiServer(options: ApiServerOptions = {}): Promise<ApiServer> {
  const scenario = options.seed === undefined ? undefined : parseScenario(options.seed);
  const start = scenario?.Clock ? new Date(scenario.Clock.Start) : undefined;
  const kms =
    options.kms ??
    (await createKms({
      store: new MemoryStore(),
      clockRunning: true,
      ...(start ? { startTime: start } : {}),
    }));
  const seeded = scenario ? await applyScenario(kms, scenario) : undefined;
  const roleSessions = (seeded?.credentials ?? []).flatMap((c) =>
    c.roleArn && c.sessionName
      ? [{ accessKeyId: c.accessKeyId, roleArn: c.roleArn, sessionName: c.sessionName }]
      : [],
  );
  const callerFor = options.callerFor ?? accessKeyCallerFor(kms, 'api', roleSessions);
  const server = createServer((req, res) => {
    serve(kms, callerFor, req, res).catch((e: unknown) => {
      console.error(e);
      if (!res.headersSent) res.writeHead(500, { 'content-type': JSON_CONTENT_TYPE });
      res.end(JSON.stringify({ __type: 'KMSInternalException', message: 'An internal error occurred.' }));
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_API_PORT, API_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${API_HOST}:${port}`,
    port,
    kms,
    ...(seeded ? { seeded } : {}),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function serve(kms: Kms, callerFor: CallerResolver, req: IncomingMessage, res: ServerResponse) {
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain; charset=utf-8' });
    res.end(
      'KMS Lab API: send AWS JSON 1.1 requests (POST / with X-Amz-Target: TrentService.<Operation>).\n',
    );
    return;
  }
  const body = await readBody(req);
  if (body === undefined) {
    res.writeHead(413, { 'content-type': JSON_CONTENT_TYPE, connection: 'close' });
    res.end(JSON.stringify({ __type: 'RequestEntityTooLarge', message: 'Request body is too large' }));
    return;
  }
  const headers = req.headers as Record<string, string | undefined>;
  const identity = identityFromHeaders(headers);
  const caller = callerFor({
    ...identity,
    ...(req.socket.remoteAddress ? { sourceIp: req.socket.remoteAddress } : {}),
  });
  const target = headers['x-amz-target'];
  // CloudHSM v2 (BaldrApiService.*) shares the endpoint with KMS (TrentService.*) and KmsLab.*.
  const handle = isCloudHsmTarget(target) ? handleCloudHsmRequest : handleJsonRequest;
  const out = await handle(kms, { target, body, caller });
  const bytes = Buffer.from(out.body, 'utf8');
  res.writeHead(out.status, { ...out.headers, 'content-length': bytes.length });
  res.end(bytes);
}

/** Reads the body as UTF-8; undefined when it exceeds the size limit. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
