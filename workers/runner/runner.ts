/**
 * The scratchpad's runner: a worker the sandboxed iframe starts from a blob (opaque origin, no
 * storage, CSP without network). It runs one transpiled script with the real `@aws-sdk/client-kms`,
 * whose requests go out as `call` messages (operation, JSON 1.1 body, Region, principal) instead of
 * HTTP; the page validates them and forwards them to the KMS worker.
 */
import * as sdk from '@aws-sdk/client-kms';
import { HttpResponse, type HttpRequest } from '@smithy/core/transport';
import {
  SCRIPT_URL,
  type PageMessage,
  type RunnerMessage,
  type ServiceClientSpec,
  type ViewValue,
  type WorldFamily,
  type WorldSpec,
} from './protocol.ts';

const post = (m: RunnerMessage) => (self as unknown as Worker).postMessage(m);
const pending = new Map<number, (r: Extract<PageMessage, { t: 'reply' }>) => void>();
const servicePending = new Map<number, (r: Extract<PageMessage, { t: 'serviceReply' }>) => void>();
let nextId = 1;
let defaults = { region: 'us-east-1', principal: '', principals: [] as readonly string[] };

const PRINCIPAL = Symbol('principal');
type LabConfig = sdk.KMSClientConfig & { [PRINCIPAL]?: string };

function requestHandler(principal: string | undefined) {
  return {
    async handle(request: HttpRequest): Promise<{ response: HttpResponse }> {
      const headers = request.headers as Record<string, string | undefined>;
      const target = headers['x-amz-target'] ?? '';
      const op = target.startsWith('TrentService.') ? target.slice('TrentService.'.length) : target;
      const region =
        /^kms(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$/.exec(request.hostname)?.[1] ?? defaults.region;
      const body =
        typeof request.body === 'string'
          ? request.body
          : request.body instanceof Uint8Array
            ? new TextDecoder().decode(request.body)
            : '';
      const id = nextId++;
      const reply = await new Promise<Extract<PageMessage, { t: 'reply' }>>((resolve) => {
        pending.set(id, resolve);
        post({ t: 'call', id, op, body, region, ...(principal ? { principal } : {}) });
      });
      return {
        response: new HttpResponse({
          statusCode: reply.status,
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            ...(reply.requestId ? { 'x-amzn-requestid': reply.requestId } : {}),
          },
          body: new TextEncoder().encode(reply.body),
        }),
      };
    },
    updateHttpClientConfig(): void {},
    httpHandlerConfigs(): Record<string, never> {
      return {};
    },
    destroy(): void {},
  };
}

function config(c: LabConfig = {}): sdk.KMSClientConfig {
  return {
    ...c,
    region: c.region ?? defaults.region,
    credentials: c.credentials ?? {
      accessKeyId: 'AKIAKMSLABSCRIPT0001',
      secretAccessKey: 'kms-lab-scratchpad',
    },
    maxAttempts: c.maxAttempts ?? 1,
    requestHandler: requestHandler(c[PRINCIPAL]),
  };
}

/** `new KMSClient({ region })` as in any app; requests go to the simulated KMS. */
class KMSClient extends sdk.KMSClient {
  constructor(c: LabConfig = {}) {
    super(config(c));
  }
}

/** The aggregated client (`await kms.encrypt({ … })`). */
class KMS extends sdk.KMS {
  constructor(c: LabConfig = {}) {
    super(config(c));
  }
}

const clientModule: Record<string, unknown> = { ...sdk, KMSClient, KMS };

/** A simulated service's error, shaped like an SDK service exception (`name` is AWS's error code). */
class ServiceException extends Error {
  readonly $fault = 'client';
  readonly $metadata: { httpStatusCode: number; requestId?: string };
  constructor(code: string, message: string, requestId?: string) {
    super(message);
    this.name = code;
    this.$metadata = { httpStatusCode: 400, ...(requestId ? { requestId } : {}) };
  }
}

/**
 * SDK-shaped clients of the simulated services (`s3.putObject({ … })`): each method sends a
 * `service` message, as `principal` in `region`, and resolves with the output or throws.
 */
function serviceClients(specs: readonly ServiceClientSpec[], region: string, principal?: string) {
  const clients: Record<string, Readonly<Record<string, (input?: unknown) => Promise<unknown>>>> = {};
  for (const spec of specs) {
    const methods: Record<string, (input?: unknown) => Promise<unknown>> = {};
    for (const [method, op] of Object.entries(spec.methods))
      methods[method] = async (input: unknown = {}) => {
        const id = nextId++;
        const reply = await new Promise<Extract<PageMessage, { t: 'serviceReply' }>>((resolve) => {
          servicePending.set(id, resolve);
          post({
            t: 'service',
            id,
            service: spec.service,
            op,
            input,
            region,
            ...(principal ? { principal } : {}),
          });
        });
        if (!reply.ok)
          throw new ServiceException(
            reply.error?.code ?? 'Error',
            reply.error?.message ?? '',
            reply.requestId,
          );
        return {
          ...(reply.output as object),
          $metadata: { httpStatusCode: 200, requestId: reply.requestId },
        };
      };
    clients[spec.client] = Object.freeze(methods);
  }
  return clients;
}

/** One world call (`lab.iam.createUser`, `lab.clock.advance`, …): resolves with the output or throws. */
async function worldCall(
  family: WorldFamily,
  op: string,
  input: unknown,
  region: string,
  principal?: string,
): Promise<Record<string, unknown>> {
  const id = nextId++;
  const reply = await new Promise<Extract<PageMessage, { t: 'serviceReply' }>>((resolve) => {
    servicePending.set(id, resolve);
    post({ t: 'world', id, family, op, input, region, ...(principal ? { principal } : {}) });
  });
  if (!reply.ok)
    throw new ServiceException(reply.error?.code ?? 'Error', reply.error?.message ?? '', reply.requestId);
  return {
    ...(reply.output as object),
    $metadata: { httpStatusCode: 200, ...(reply.requestId ? { requestId: reply.requestId } : {}) },
  };
}

/** `lab.iam`, `lab.cloudHsm`, `lab.fault` and `lab.control`, acting as `principal` in `region`. */
function worldClients(spec: WorldSpec, region: string, principal?: string) {
  const client = (family: Exclude<WorldFamily, 'clock'>, methods: Readonly<Record<string, string>>) =>
    Object.freeze(
      Object.fromEntries(
        Object.entries(methods).map(([method, op]) => [
          method,
          (input: unknown = {}) => worldCall(family, op, input, region, principal),
        ]),
      ),
    );
  const faults = new Set(spec.faults);
  return {
    iam: client('iam', spec.iam),
    cloudHsm: client('cloudHsm', spec.cloudHsm),
    fault: client('lab', Object.fromEntries(Object.entries(spec.lab).filter(([, op]) => faults.has(op)))),
    control: (name: string, input: unknown = {}) => worldCall('lab', name, input, region, principal),
  };
}

function requireModule(name: string): unknown {
  if (name === '@aws-sdk/client-kms') return clientModule;
  throw new Error(`Cannot find module '${name}'. Scripts can import '@aws-sdk/client-kms'.`);
}

/* Values to plain data, for the output panel. */
const MAX_DEPTH = 6;
const MAX_ENTRIES = 200;

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function view(v: unknown, depth = 0, seen = new Set<object>()): ViewValue {
  if (v === null) return null;
  switch (typeof v) {
    case 'undefined':
      return { $t: 'undefined' };
    case 'boolean':
    case 'string':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : String(v);
    case 'bigint':
      return { $t: 'bigint', v: v.toString() };
    case 'symbol':
      return v.toString();
    case 'function':
      return { $t: 'function', name: v.name || 'anonymous' };
  }
  const o = v as object;
  if (o instanceof Uint8Array) return { $t: 'bytes', base64: toBase64(o), length: o.length };
  if (o instanceof ArrayBuffer)
    return { $t: 'bytes', base64: toBase64(new Uint8Array(o)), length: o.byteLength };
  if (o instanceof Date)
    return { $t: 'date', iso: Number.isNaN(o.getTime()) ? 'Invalid Date' : o.toISOString() };
  if (o instanceof Error) return { $t: 'error', name: o.name, message: o.message };
  if (seen.has(o)) return { $t: 'more', what: '[Circular]' };
  if (depth >= MAX_DEPTH) return { $t: 'more', what: Array.isArray(o) ? '[…]' : '{…}' };
  seen.add(o);
  try {
    if (Array.isArray(o)) {
      const items = o.slice(0, MAX_ENTRIES).map((x) => view(x, depth + 1, seen));
      if (o.length > MAX_ENTRIES) items.push({ $t: 'more', what: `${o.length - MAX_ENTRIES} more` });
      return items;
    }
    const source =
      o instanceof Map ? [...o.entries()].map(([k, x]) => [String(k), x] as const) : Object.entries(o);
    const entries = source.slice(0, MAX_ENTRIES).map(([k, x]) => [k, view(x, depth + 1, seen)] as const);
    const ctor = (o as { constructor?: { name?: string } }).constructor?.name;
    return { $t: 'object', ...(ctor && ctor !== 'Object' ? { ctor } : {}), entries };
  } finally {
    seen.delete(o);
  }
}

function makeConsole() {
  const log =
    (level: Extract<RunnerMessage, { t: 'log' }>['level']) =>
    (...args: unknown[]) =>
      post({ t: 'log', level, values: args.map((a) => view(a)) });
  return {
    log: log('log'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    debug: log('debug'),
    dir: log('log'),
    table: log('log'),
  };
}

/** The line of the script's frame in an error's stack (the generated JavaScript's line). */
function scriptLine(e: unknown, offset: number): number | undefined {
  const stack = e instanceof Error ? (e.stack ?? '') : '';
  const m = new RegExp(`${SCRIPT_URL.replace(/\./g, '\\.')}:(\\d+):\\d+`).exec(stack);
  return m ? Number(m[1]) - offset : undefined;
}

const AsyncFunction = async function () {}.constructor as new (
  ...args: string[]
) => (...a: unknown[]) => Promise<unknown>;
const PARAMS = ['require', 'kms', 'lab', 'console'];

/** How many lines the Function constructor puts before the body (engine-dependent; measured). */
function bodyOffset(): number {
  try {
    const probe = new Function(...PARAMS, `throw new Error('probe')\n//# sourceURL=${SCRIPT_URL}`);
    probe();
  } catch (e) {
    const line = scriptLine(e, 0);
    if (line !== undefined) return line - 1;
  }
  return 2;
}

async function run(m: Extract<PageMessage, { t: 'run' }>) {
  defaults = { region: m.region, principal: m.principal, principals: m.principals };
  const world: WorldSpec = m.world ?? { iam: {}, cloudHsm: {}, lab: {}, faults: [] };
  const clockOutput = (r: Record<string, unknown>) => ({ ...r, now: new Date(Number(r.now)) });
  const lab = Object.freeze({
    region: m.region,
    principal: m.principal,
    principals: m.principals,
    as(who: { principal?: string; region?: string } = {}) {
      const principal =
        who.principal && /^\d{12}$/.test(who.principal)
          ? `arn:aws:iam::${who.principal}:root`
          : who.principal;
      const region = who.region ?? m.region;
      return Object.assign(
        new KMS({ region, ...(principal ? { [PRINCIPAL]: principal } : {}) }),
        worldClients(world, region, principal),
      );
    },
    ...worldClients(world, m.region),
    clock: Object.freeze({
      now: async () => new Date(Number((await worldCall('clock', 'Now', {}, m.region)).now)),
      advance: async (seconds: number) =>
        clockOutput(await worldCall('clock', 'Advance', { Seconds: seconds }, m.region)),
      advanceDays: async (days: number) =>
        clockOutput(await worldCall('clock', 'Advance', { Seconds: days * 86400 }, m.region)),
    }),
    toBase64,
    fromBase64,
    utf8: (text: string) => new TextEncoder().encode(text),
    text: (bytes: Uint8Array) => new TextDecoder().decode(bytes),
  });
  // The service clients are globals (a script may still declare its own `s3`).
  for (const [name, client] of Object.entries(serviceClients(m.services ?? [], m.region)))
    Object.defineProperty(globalThis, name, { value: client, configurable: true, writable: true });
  const offset = bodyOffset();
  try {
    const fn = new AsyncFunction(...PARAMS, `${m.code}\n//# sourceURL=${SCRIPT_URL}`);
    await fn(requireModule, new KMS(), lab, makeConsole());
    post({ t: 'done' });
  } catch (e) {
    const err = e instanceof Error ? e : new Error(typeof e === 'string' ? e : JSON.stringify(view(e)));
    const meta = (e as { $metadata?: { requestId?: string } } | null)?.$metadata;
    const jsLine = scriptLine(err, offset);
    post({
      t: 'error',
      name: err.name,
      message: err.message,
      ...(jsLine !== undefined ? { jsLine } : {}),
      ...(meta?.requestId ? { requestId: meta.requestId } : {}),
    });
  }
}

self.addEventListener('message', (e: MessageEvent<PageMessage>) => {
  const m = e.data;
  if (m?.t === 'reply') {
    const resolve = pending.get(m.id);
    pending.delete(m.id);
    resolve?.(m);
  } else if (m?.t === 'serviceReply') {
    const resolve = servicePending.get(m.id);
    servicePending.delete(m.id);
    resolve?.(m);
  } else if (m?.t === 'run') void run(m);
});
post({ t: 'ready' });
