/**
 * The solution environment: what a lesson's solution (or setup, or a challenge's reference answer)
 * sees when it runs. A solution is a script body with top-level `await`, the same kind of script the
 * scratchpad runs, written against SDK-shaped clients:
 *
 * ```ts
 * const { KeyMetadata } = await kms.createKey({ Description: 'app' });
 * await kms.createAlias({ AliasName: 'alias/app', TargetKeyId: KeyMetadata.KeyId });
 * const bob = lab.as({ principal: 'arn:aws:iam::111122223333:user/Bob' });
 * await bob.encrypt({ KeyId: 'alias/app', Plaintext: lab.utf8('hi') });
 * await clock.advance({ days: 7 });
 * ```
 *
 * Why scripts rather than CLI lines: the CLI speaks KMS and IAM only, while lessons also need
 * CloudHSM, the AWS services, lab faults and the clock; and a script is what the learner writes in the
 * scratchpad, so "show solution" replays exactly what the learner could have typed. The engine takes and
 * returns the SDK's shapes, so `kms.encrypt(…)` here behaves as `new KMS().encrypt(…)` of
 * `@aws-sdk/client-kms` in the scratchpad (errors carry the exception name as `name`).
 *
 * Globals (every client acts as the root user of 111122223333 in us-east-1 unless made with `lab.clients`):
 * - `kms`: the aggregated KMS client (`kms.encrypt`, `kms.createKey`, …).
 * - `iam`, `cloudhsm` (CloudHSM v2), `s3`, `ec2`, `ssm`, `secretsmanager`, `cloudtrail` (`lookupEvents`).
 * - `lab`: `as({ principal, region })` (a KMS client acting as an IAM user/role ARN or an account ID),
 *   `clients({ principal, region })` (every client at once), `utf8`, `text`, `toBase64`, `fromBase64`,
 *   `region`, `principal`, `cli(line)` (an `aws …` command line, as the terminal runs it) and `files` (its
 *   virtual files), and the lab controls in camelCase (`lab.loseAvailabilityZone({ … })`,
 *   `lab.activateCluster({ … })`, …; not API calls).
 * - `clock`: `now()` (a Date) and `advance(seconds | { days, hours, minutes, seconds })` (not an API call).
 * - `console`: `log`/`info`/`warn`/`error`, collected in the result.
 *
 * The runner here uses `new AsyncFunction(…)`: for trusted lesson data in Node and tests. In the
 * browser, learners' code runs only in the scratchpad's sandboxed runner, never through this function.
 */
import { MemoryFs, runCli } from '../cli/index.ts';
import { lookupEvents, type Kms, type CallerContext, type ServiceName } from '../kms/index.ts';

/** The parameters a script body is called with, in order. */
export const SCRIPT_GLOBALS = [
  'kms',
  'iam',
  'cloudhsm',
  's3',
  'ec2',
  'ssm',
  'secretsmanager',
  'cloudtrail',
  'lab',
  'clock',
  'console',
] as const;

export interface ScriptCall {
  /** `CreateKey`, `iam:CreateUser`, `cloudhsm:CreateHsm`, `s3:PutObject`, `cloudtrail:LookupEvents`. */
  readonly operation: string;
  readonly ok: boolean;
  readonly error?: string;
}

export interface ScriptResult {
  /** AWS API calls made (lab controls and clock moves are not API calls). */
  readonly calls: readonly ScriptCall[];
  readonly logs: readonly string[];
  /** Set when the script threw: the error's name and message. */
  readonly error?: { readonly name: string; readonly message: string };
}

export interface Who {
  /** An IAM user or role ARN, a root ARN, or an account ID (its root user). */
  readonly principal?: string;
  readonly region?: string;
}

export interface RunScriptOptions {
  /** Default: root of 111122223333 in us-east-1 (the world's default caller). */
  readonly region?: string;
  /** Reject when the script takes longer (it cannot stop a busy loop: trusted code only). */
  readonly timeoutMs?: number;
  /** Called after every API call, lab control and clock move (the lesson panel re-checks steps here). */
  readonly afterEach?: () => unknown;
}

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);
const lowerFirst = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

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

type Send = (operation: string, input: unknown) => Promise<Record<string, unknown>>;
type Client = Record<string, (input?: unknown) => Promise<Record<string, unknown>>>;

/**
 * A client whose camelCase methods call `send` with the PascalCase operation; unknown names are
 * `undefined` (as on the SDK's aggregated client), and the client is not a thenable.
 */
function client(operations: readonly string[], send: Send): Client {
  const known = new Set(operations);
  return new Proxy(Object.create(null) as Client, {
    get(_t, prop) {
      if (typeof prop !== 'string' || prop === 'then') return undefined;
      const op = pascal(prop);
      if (!known.has(op)) return undefined;
      return (input: unknown = {}) => send(op, input);
    },
    has: (_t, prop) => typeof prop === 'string' && known.has(pascal(prop)),
    ownKeys: () => [...known].map(lowerFirst),
    getOwnPropertyDescriptor: (_t, prop) =>
      typeof prop === 'string' && known.has(pascal(prop))
        ? { configurable: true, enumerable: true, writable: false, value: undefined }
        : undefined,
    set: () => false,
  });
}

const strip = (prefix: string) => (names: readonly string[]) =>
  names.filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length));

export interface ScriptEnvironment {
  readonly globals: Record<(typeof SCRIPT_GLOBALS)[number], unknown>;
  readonly calls: ScriptCall[];
  readonly logs: string[];
}

/** Builds the globals a script gets, recording every API call it makes. */
export function scriptEnvironment(kms: Kms, options: RunScriptOptions = {}): ScriptEnvironment {
  const calls: ScriptCall[] = [];
  const logs: string[] = [];
  const defaultRegion = options.region ?? 'us-east-1';
  const defaultPrincipal = 'arn:aws:iam::111122223333:root';

  const callerOf = (who: Who = {}): CallerContext => {
    const p = who.principal ?? defaultPrincipal;
    const arn = /^\d{12}$/.test(p) ? `arn:aws:iam::${p}:root` : p;
    return kms.callerFor(arn, { region: who.region ?? defaultRegion });
  };

  const recorded =
    (name: (op: string) => string, send: (op: string, input: unknown) => Promise<Record<string, unknown>>) =>
    async (op: string, input: unknown) => {
      try {
        const out = await send(op, input);
        calls.push({ operation: name(op), ok: true });
        return out;
      } catch (e) {
        calls.push({ operation: name(op), ok: false, error: e instanceof Error ? e.name : String(e) });
        throw e;
      } finally {
        await options.afterEach?.();
      }
    };

  const serviceNames = kms.serviceOperations();
  const clients = (who: Who = {}) => {
    const caller = callerOf(who);
    const service = (s: ServiceName) =>
      client(
        strip(`${s}:`)(serviceNames),
        recorded(
          (op) => `${s}:${op}`,
          (op, input) => kms.service(s, op, input, caller),
        ),
      );
    return {
      kms: client(
        kms.operations(),
        recorded(
          (op) => op,
          (op, input) => kms.send(op, input, caller),
        ),
      ),
      iam: client(
        strip('iam:')(kms.iamOperations()),
        recorded(
          (op) => `iam:${op}`,
          (op, input) => kms.iam(op, input, caller),
        ),
      ),
      cloudhsm: client(
        strip('cloudhsm:')(kms.cloudHsmOperations()),
        recorded(
          (op) => `cloudhsm:${op}`,
          (op, input) => kms.cloudHsm(op, input, caller),
        ),
      ),
      s3: service('s3'),
      ec2: service('ec2'),
      ssm: service('ssm'),
      secretsmanager: service('secretsmanager'),
      cloudtrail: client(
        ['LookupEvents'],
        recorded(
          (op) => `cloudtrail:${op}`,
          async (_op, input) => lookup(kms, caller, input) as unknown as Record<string, unknown>,
        ),
      ),
    };
  };

  const root = clients();
  const cliFs = new MemoryFs();
  const cliEnv: Record<string, string> = {};
  const labControls = client(strip('lab:')(kms.labOperations()), async (op, input) => {
    try {
      return await kms.lab(op, input, callerOf());
    } finally {
      await options.afterEach?.();
    }
  });
  const lab = new Proxy(
    Object.freeze({
      region: defaultRegion,
      principal: defaultPrincipal,
      as: (who: Who = {}) => clients(who).kms,
      clients,
      utf8: (text: string) => new TextEncoder().encode(text),
      text: (bytes: Uint8Array) => new TextDecoder().decode(bytes),
      toBase64,
      fromBase64,
      /** Runs an `aws …` command line (the lab's CLI) as the default caller; its API calls count. */
      cli: async (line: string) => {
        const r = await runCli(line, { kms, fs: cliFs, caller: callerOf(), defaultRegion, env: cliEnv });
        for (const c of r.calls)
          calls.push({
            operation: c.service === 'kms' ? c.operation : `${c.service}:${c.operation}`,
            ok: !c.error,
            ...(c.error ? { error: c.error.code } : {}),
          });
        await options.afterEach?.();
        return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
      },
      /** The CLI's virtual files (`fileb://…`), as text or bytes. */
      files: cliFs,
    }),
    {
      get: (t, prop) =>
        prop in t ? (t as Record<string | symbol, unknown>)[prop] : labControls[prop as string],
    },
  );

  const clock = Object.freeze({
    now: () => new Date(kms.now()),
    advance: async (by: number | { days?: number; hours?: number; minutes?: number; seconds?: number }) => {
      const seconds =
        typeof by === 'number'
          ? by
          : (by.days ?? 0) * 86400 + (by.hours ?? 0) * 3600 + (by.minutes ?? 0) * 60 + (by.seconds ?? 0);
      if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError('clock.advance: a time ≥ 0');
      const fired = await kms.advanceClock(seconds);
      await options.afterEach?.();
      return fired;
    },
  });

  const format = (v: unknown) => {
    if (typeof v === 'string') return v;
    try {
      return JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? `<${x.length} bytes>` : x));
    } catch {
      return String(v);
    }
  };
  const log =
    (level: string) =>
    (...args: unknown[]) =>
      void logs.push(`${level === 'log' ? '' : `[${level}] `}${args.map(format).join(' ')}`);
  const console = { log: log('log'), info: log('info'), warn: log('warn'), error: log('error') };

  return { globals: { ...root, lab, clock, console }, calls, logs };
}

/** CloudTrail LookupEvents in SDK shape, over the world's trail (the caller's account and Region). */
function lookup(kms: Kms, caller: CallerContext, input: unknown) {
  const i = (input ?? {}) as {
    LookupAttributes?: { AttributeKey: string; AttributeValue: string }[];
    StartTime?: Date;
    EndTime?: Date;
    MaxResults?: number;
    NextToken?: string;
  };
  const filter: Record<string, unknown> = { account: caller.principal.accountId, region: caller.region };
  for (const a of i.LookupAttributes ?? []) {
    const field = {
      EventName: 'eventName',
      Username: 'username',
      ResourceName: 'keyArn',
      EventId: 'eventId',
      ReadOnly: 'readOnly',
      AccessKeyId: 'accessKeyId',
    }[a.AttributeKey];
    if (!field)
      throw Object.assign(new Error(`Unsupported attribute ${a.AttributeKey}`), {
        name: 'InvalidLookupAttributesException',
      });
    filter[field] = field === 'readOnly' ? a.AttributeValue === 'true' : a.AttributeValue;
  }
  return lookupEvents(kms.trail(), {
    ...filter,
    ...(i.StartTime ? { startTime: i.StartTime } : {}),
    ...(i.EndTime ? { endTime: i.EndTime } : {}),
    ...(i.MaxResults ? { maxResults: i.MaxResults } : {}),
    ...(i.NextToken ? { nextToken: i.NextToken } : {}),
  });
}

const AsyncFunction = async function () {}.constructor as new (
  ...args: string[]
) => (...a: unknown[]) => Promise<unknown>;

/**
 * Runs a trusted script body (lesson data, reference answers) against `kms`. A throwing script ends
 * there; the result says which calls it made and what it threw.
 */
export async function runScript(
  kms: Kms,
  body: string,
  options: RunScriptOptions = {},
): Promise<ScriptResult> {
  const env = scriptEnvironment(kms, options);
  const fn = new AsyncFunction(...SCRIPT_GLOBALS, `'use strict';\n${body}`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const run = fn(...SCRIPT_GLOBALS.map((g) => env.globals[g]));
    await (options.timeoutMs
      ? Promise.race([
          run,
          new Promise((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`Script timed out after ${options.timeoutMs} ms`)),
              options.timeoutMs,
            );
          }),
        ])
      : run);
    return { calls: env.calls, logs: env.logs };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    return { calls: env.calls, logs: env.logs, error: { name: err.name, message: err.message } };
  } finally {
    clearTimeout(timer);
  }
}
