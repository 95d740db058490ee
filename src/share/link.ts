/**
 * Share links (issue 10): a scenario — start world, optional script, lesson or challenge, clock — as
 * versioned JSON, compressed with `CompressionStream('deflate-raw')` and base64url-encoded into the URL
 * hash (`#s=…`, or `#embed=…` for the chrome-less embed). The hash never reaches a server.
 *
 * Decoding trusts nothing: it checks the characters and length of the link, inflates with a hard cap
 * (a deflate bomb stops at the cap, never expands in memory), refuses deep nesting before `JSON.parse`,
 * validates the structure and the world with the scenario format's own strict parser, and refuses
 * control and bidirectional-override characters. It never runs code: a shared script is text the user
 * may choose to run. Every failure is a {@link ShareLinkError} with a message fit to show.
 *
 * Pure TypeScript over web platform APIs (CompressionStream, TextEncoder, atob/btoa): browser and Node.
 */
import { MAX_SCENARIO_BYTES, parseScenario, ScenarioError, type Scenario } from '../kms/scenario/index.ts';

/** The link format version; a link of another version is refused, not guessed at. */
export const SHARE_VERSION = 1;

export const SHARE_LIMITS = {
  /** Characters of the encoded payload (a URL of ~32 KB still opens everywhere that matters). */
  maxEncodedChars: 32_768,
  /** Bytes after inflating: a scenario's own limit plus a script. */
  maxInflatedBytes: MAX_SCENARIO_BYTES + 64 * 1024,
  /** Characters of a shared script. */
  maxScriptChars: 50_000,
  /** Nesting of the JSON: scenarios nest about 8 deep (policies a few more). */
  maxDepth: 24,
} as const;

export interface SharedScenario {
  readonly version: typeof SHARE_VERSION;
  /** The start world (docs/scenario-format.md). */
  readonly world: Scenario;
  /** Scratchpad script: shown, never run until the user presses Run. */
  readonly script?: string;
  readonly lessonId?: string;
  readonly challengeId?: string;
  /** Simulated time to start at (ISO 8601). */
  readonly clock?: string;
  /** A title for the link's preview. */
  readonly title?: string;
}

export type ShareLinkProblem = 'malformed' | 'oversized' | 'version' | 'invalid';

/** Why a link could not be opened; `message` is written for the user. Nothing was changed. */
export class ShareLinkError extends Error {
  readonly problem: ShareLinkProblem;
  /** For `invalid` worlds: the scenario parser's issues. */
  readonly issues: readonly { readonly path: string; readonly message: string }[];
  constructor(problem: ShareLinkProblem, message: string, issues: ShareLinkError['issues'] = []) {
    super(message);
    this.name = 'ShareLinkError';
    this.problem = problem;
    this.issues = issues;
  }
}

// Wire keys are short: links should stay well under 2,000 characters for a typical lesson.
interface Wire {
  v: number;
  w: unknown;
  s?: unknown;
  l?: unknown;
  c?: unknown;
  t?: unknown;
  n?: unknown;
}
const WIRE_KEYS = new Set(['v', 'w', 's', 'l', 'c', 't', 'n']);
const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** C0 controls but tab/newline/CR, DEL, C1 controls, bidi overrides and isolates (Trojan Source). */
// eslint-disable-next-line no-control-regex -- these are exactly what the link refuses
const UNSAFE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

// ---- base64url -------------------------------------------------------------------------------------

function toBase64Url(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1)
    throw new ShareLinkError(
      'malformed',
      'This link is damaged: it contains characters a share link never has.',
    );
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  let s: string;
  try {
    s = atob(b64);
  } catch {
    throw new ShareLinkError('malformed', 'This link is damaged: it is not valid base64url.');
  }
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

// ---- compression ----------------------------------------------------------------------------------

async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Inflates, stopping as soon as the output would pass `max` bytes (a bomb never fills memory). */
async function inflate(bytes: Uint8Array, max: number): Promise<Uint8Array> {
  const ds = new DecompressionStream('deflate-raw');
  const writer = ds.writable.getWriter();
  const reader = ds.readable.getReader();
  writer.write(bytes as Uint8Array<ArrayBuffer>).catch(() => undefined);
  writer.close().catch(() => undefined);
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > max) {
        await reader.cancel().catch(() => undefined);
        throw new ShareLinkError(
          'oversized',
          `This link expands to more than ${Math.round(max / 1024)} KiB; it was not opened.`,
        );
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof ShareLinkError) throw e;
    throw new ShareLinkError('malformed', 'This link is damaged or cut short: its data does not decompress.');
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

// ---- structure ---------------------------------------------------------------------------------------

/** The deepest nesting of `{`/`[` outside strings (checked before JSON.parse ever sees the text). */
function nesting(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') max = Math.max(max, ++depth);
    else if (ch === '}' || ch === ']') depth--;
  }
  return max;
}

/** The first string (key or value) with unsafe characters, with its path. */
function unsafeString(v: unknown, path = ''): string | undefined {
  if (typeof v === 'string') return UNSAFE.test(v) ? path || '(top level)' : undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const r = unsafeString(v[i], `${path}[${i}]`);
      if (r) return r;
    }
  } else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      if (UNSAFE.test(k)) return `${path}.${k}`;
      const r = unsafeString(x, path ? `${path}.${k}` : k);
      if (r) return r;
    }
  return undefined;
}

const invalid = (message: string) => new ShareLinkError('invalid', message);

function fromWire(wire: unknown, known: DecodeOptions): SharedScenario {
  if (!wire || typeof wire !== 'object' || Array.isArray(wire))
    throw invalid('This link does not contain a scenario.');
  const w = wire as Wire;
  if (w.v !== SHARE_VERSION)
    throw new ShareLinkError(
      'version',
      typeof w.v === 'number' && w.v > SHARE_VERSION
        ? `This link was made by a newer KMS Lab (link version ${w.v}); this one reads version ${SHARE_VERSION}.`
        : `This link has an unknown version (${JSON.stringify(w.v)?.slice(0, 20)}).`,
    );
  for (const k of Object.keys(w))
    if (!WIRE_KEYS.has(k)) throw invalid(`This link has an unknown field "${k.slice(0, 20)}".`);
  const bad = unsafeString(w);
  if (bad) throw invalid(`This link contains control or text-direction characters (at ${bad.slice(0, 80)}).`);
  if (!w.w || typeof w.w !== 'object' || Array.isArray(w.w))
    throw invalid('This link has no world (scenario) in it.');
  let world: Scenario;
  try {
    world = parseScenario(w.w);
  } catch (e) {
    if (e instanceof ScenarioError)
      throw new ShareLinkError(
        'invalid',
        `The world in this link is not a valid scenario:\n${e.message}`,
        e.issues,
      );
    throw invalid('The world in this link is not a valid scenario.');
  }
  const out: { -readonly [K in keyof SharedScenario]: SharedScenario[K] } = { version: SHARE_VERSION, world };
  if (w.s !== undefined) {
    if (typeof w.s !== 'string' || w.s.length > SHARE_LIMITS.maxScriptChars)
      throw invalid(
        `The script in this link must be text of at most ${SHARE_LIMITS.maxScriptChars} characters.`,
      );
    out.script = w.s;
  }
  for (const [key, field, what, isKnown] of [
    ['l', 'lessonId', 'lesson', known.isKnownLesson],
    ['c', 'challengeId', 'challenge', known.isKnownChallenge],
  ] as const) {
    const v = w[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !ID.test(v)) throw invalid(`The ${what} ID in this link is not valid.`);
    if (isKnown && !isKnown(v))
      throw invalid(`This link names a ${what} this KMS Lab does not have ("${v}").`);
    out[field] = v;
  }
  if (out.lessonId && out.challengeId) throw invalid('A link names a lesson or a challenge, not both.');
  if (w.t !== undefined) {
    if (typeof w.t !== 'string' || !/^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(w.t) || Number.isNaN(Date.parse(w.t)))
      throw invalid('The clock in this link is not a UTC date-time.');
    out.clock = w.t;
  }
  if (w.n !== undefined) {
    if (typeof w.n !== 'string' || w.n.length > 200)
      throw invalid('The title in this link must be text of at most 200 characters.');
    out.title = w.n;
  }
  return out;
}

// ---- public API --------------------------------------------------------------------------------------

export interface DecodeOptions {
  /** Refuse links that name a lesson this build does not have. */
  readonly isKnownLesson?: (id: string) => boolean;
  readonly isKnownChallenge?: (id: string) => boolean;
}

/** Encodes a scenario as the payload of a link (base64url of deflate-raw of the JSON). */
export async function encodeShare(s: SharedScenario): Promise<string> {
  const wire: Wire = { v: SHARE_VERSION, w: s.world };
  if (s.script !== undefined) wire.s = s.script;
  if (s.lessonId !== undefined) wire.l = s.lessonId;
  if (s.challengeId !== undefined) wire.c = s.challengeId;
  if (s.clock !== undefined) wire.t = s.clock;
  if (s.title !== undefined) wire.n = s.title;
  // Validate what we send with the same rules as what we accept.
  fromWire(structuredClone(wire), {});
  const payload = toBase64Url(await deflate(new TextEncoder().encode(JSON.stringify(wire))));
  if (payload.length > SHARE_LIMITS.maxEncodedChars)
    throw new ShareLinkError(
      'oversized',
      `This scenario is too large for a link (${payload.length} characters).`,
    );
  return payload;
}

/** Decodes and validates a payload; throws {@link ShareLinkError}. Never runs anything. */
export async function decodeShare(payload: string, options: DecodeOptions = {}): Promise<SharedScenario> {
  if (typeof payload !== 'string' || payload.length === 0)
    throw new ShareLinkError('malformed', 'This link is empty.');
  if (payload.length > SHARE_LIMITS.maxEncodedChars)
    throw new ShareLinkError(
      'oversized',
      `This link is too long (${payload.length} characters); it was not opened.`,
    );
  const bytes = await inflate(fromBase64Url(payload), SHARE_LIMITS.maxInflatedBytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ShareLinkError('malformed', 'This link is damaged: its content is not UTF-8 text.');
  }
  if (nesting(text) > SHARE_LIMITS.maxDepth)
    throw invalid('This link nests its data too deeply to be a scenario.');
  let wire: unknown;
  try {
    wire = JSON.parse(text);
  } catch {
    throw new ShareLinkError('malformed', 'This link is damaged: its content is not JSON.');
  }
  return fromWire(wire, options);
}

export type ShareMode = 'share' | 'embed';

/** `#s=…` (open in a new workspace) or `#embed=…` (the embed view). */
export async function shareHash(s: SharedScenario, mode: ShareMode = 'share'): Promise<string> {
  return `#${mode === 'embed' ? 'embed' : 's'}=${await encodeShare(s)}`;
}

/**
 * Reads a location hash: `null` when it holds no share link (leave the workspace alone), else the
 * decoded scenario and the mode. Throws {@link ShareLinkError} for a share link that cannot be opened.
 */
export async function readShareHash(
  hash: string,
  options: DecodeOptions = {},
): Promise<{ mode: ShareMode; scenario: SharedScenario } | null> {
  const m = /^#?(s|embed)=(.*)$/s.exec(hash);
  if (!m) return null;
  return { mode: m[1] === 'embed' ? 'embed' : 'share', scenario: await decodeShare(m[2]!, options) };
}

/** What a link contains, for the "open this scenario?" dialog (shown before anything loads). */
export function describeShare(s: SharedScenario): {
  accounts: number;
  users: number;
  roles: number;
  keys: number;
  scriptLines: number;
  lessonId?: string;
  challengeId?: string;
} {
  const accounts = Object.values(s.world.Accounts);
  return {
    accounts: accounts.length,
    users: accounts.reduce((n, a) => n + (a.Users?.length ?? 0), 0),
    roles: accounts.reduce((n, a) => n + (a.Roles?.length ?? 0), 0),
    keys: accounts.reduce((n, a) => n + (a.Keys?.length ?? 0), 0),
    scriptLines: s.script ? s.script.split('\n').length : 0,
    ...(s.lessonId ? { lessonId: s.lessonId } : {}),
    ...(s.challengeId ? { challengeId: s.challengeId } : {}),
  };
}
