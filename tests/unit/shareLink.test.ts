/**
 * Share links: every lesson's scenario round-trips and stays short; fuzzed and hostile links (huge,
 * truncated, wrong version, bad base64, script in names, deep nesting, deflate bombs) are refused with a
 * clear ShareLinkError and never anything else.
 */
import { describe, expect, it } from 'vitest';
import { CHALLENGES } from '../../lessons/challenges/index.ts';
import { LESSONS, lessonById } from '../../lessons/index.ts';
import {
  decodeShare,
  describeShare,
  encodeShare,
  readShareHash,
  SHARE_LIMITS,
  shareHash,
  ShareLinkError,
  type SharedScenario,
} from '../../src/share/index.ts';

const b64url = (bytes: Uint8Array) =>
  Buffer.from(bytes).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const deflate = async (text: string | Uint8Array) => {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
};
/** A payload of arbitrary JSON text, made the way a link is. */
const payloadOf = async (json: string) => b64url(await deflate(json));

async function refusal(p: Promise<unknown>): Promise<ShareLinkError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ShareLinkError);
    expect((e as ShareLinkError).message.length).toBeGreaterThan(10);
    return e as ShareLinkError;
  }
  throw new Error('expected the link to be refused');
}

const minimal = { KmsLabScenario: 1, Accounts: { '111122223333': {} } };

describe('round trip', () => {
  it.each(LESSONS.map((l) => [l.id, l] as const))(
    'lesson %s: round-trips, and its link is short',
    async (_id, l) => {
      const s: SharedScenario = { version: 1, world: l.world, lessonId: l.id };
      const payload = await encodeShare(s);
      const hash = await shareHash(s);
      console.log(`share link for ${l.id}: ${hash.length} characters`);
      expect(hash.length).toBeLessThan(2000);
      expect(await decodeShare(payload, { isKnownLesson: (id) => !!lessonById(id) })).toEqual(s);
    },
  );

  it('with the solution as the script, every field, and embed mode', async () => {
    const l = lessonById('key-policies-iam')!;
    const s: SharedScenario = {
      version: 1,
      world: l.world,
      script: l.solution,
      lessonId: l.id,
      clock: '2026-03-01T12:00:00Z',
      title: 'Bob & the payroll key',
    };
    const hash = await shareHash(s, 'embed');
    console.log(`share link for key-policies-iam with its solution script: ${hash.length} characters`);
    expect(hash.startsWith('#embed=')).toBe(true);
    expect(await readShareHash(hash)).toEqual({ mode: 'embed', scenario: s });
    expect(await readShareHash(hash.replace('#embed=', '#s='))).toEqual({ mode: 'share', scenario: s });
    expect(await readShareHash('#section-2')).toBeNull();
    expect(await readShareHash('')).toBeNull();
    expect(describeShare(s)).toMatchObject({ accounts: 1, users: 1, keys: 1, lessonId: 'key-policies-iam' });
  });

  it('challenge worlds round-trip too', async () => {
    for (const c of CHALLENGES)
      if (c.kind === 'hands-on') {
        const s: SharedScenario = { version: 1, world: c.world, challengeId: c.id };
        expect(await decodeShare(await encodeShare(s))).toEqual(s);
      }
  });
});

describe('hostile and broken links are refused cleanly', () => {
  it('empty, bad characters, bad base64', async () => {
    expect((await refusal(decodeShare(''))).problem).toBe('malformed');
    expect((await refusal(decodeShare('abc$def'))).problem).toBe('malformed');
    expect((await refusal(decodeShare('<script>alert(1)</script>'))).problem).toBe('malformed');
    expect((await refusal(decodeShare('A'))).problem).toBe('malformed');
    expect((await refusal(decodeShare('AAAA=='))).problem).toBe('malformed');
  });

  it('huge links are refused before decoding', async () => {
    const e = await refusal(decodeShare('A'.repeat(SHARE_LIMITS.maxEncodedChars + 1)));
    expect(e.problem).toBe('oversized');
  });

  it('truncated links', async () => {
    const payload = await encodeShare({ version: 1, world: lessonById('cross-account')!.world });
    for (const cut of [1, 5, Math.floor(payload.length / 2), payload.length - 3]) {
      const e = await refusal(decodeShare(payload.slice(0, payload.length - cut)));
      expect(['malformed', 'invalid']).toContain(e.problem);
    }
  });

  it('not deflate, not UTF-8, not JSON', async () => {
    expect((await refusal(decodeShare(b64url(new TextEncoder().encode('{"v":1}'))))).problem).toBe(
      'malformed',
    );
    expect(
      (await refusal(decodeShare(b64url(await deflate(new Uint8Array([0xff, 0xfe, 0x80])))))).problem,
    ).toBe('malformed');
    expect((await refusal(decodeShare(await payloadOf('{"v":1,')))).problem).toBe('malformed');
  });

  it('wrong or missing version', async () => {
    const newer = await refusal(decodeShare(await payloadOf(JSON.stringify({ v: 2, w: minimal }))));
    expect(newer.problem).toBe('version');
    expect(newer.message).toMatch(/newer KMS Lab/);
    expect((await refusal(decodeShare(await payloadOf(JSON.stringify({ w: minimal }))))).problem).toBe(
      'version',
    );
    expect((await refusal(decodeShare(await payloadOf('"v1"')))).problem).toBe('invalid');
    expect((await refusal(decodeShare(await payloadOf('[1]')))).problem).toBe('invalid');
  });

  it('script in names, unknown fields, bad IDs, hostile strings', async () => {
    const withUser = (UserName: string) => ({
      v: 1,
      w: { KmsLabScenario: 1, Accounts: { '111122223333': { Users: [{ UserName }] } } },
    });
    const xss = await refusal(
      decodeShare(await payloadOf(JSON.stringify(withUser('<script>alert(1)</script>')))),
    );
    expect(xss.problem).toBe('invalid');
    expect(xss.issues[0]!.path).toBe('Accounts.111122223333.Users[0].UserName');
    const cases: unknown[] = [
      { v: 1, w: minimal, x: 1 },
      { v: 1, w: { ...minimal, Evil: true } },
      { v: 1, w: minimal, l: '../../etc/passwd' },
      { v: 1, w: minimal, l: 'no-such-lesson' },
      { v: 1, w: minimal, c: 'javascript:alert(1)' },
      { v: 1, w: minimal, l: 'grants', c: 'contain-leak' },
      { v: 1, w: minimal, s: 42 },
      { v: 1, w: minimal, s: 'x'.repeat(SHARE_LIMITS.maxScriptChars + 1) },
      { v: 1, w: minimal, t: 'tomorrow' },
      { v: 1, w: minimal, n: 'x'.repeat(201) },
      { v: 1, w: { ...minimal, Description: 'evil\u202egnp.exe' } },
      { v: 1, w: minimal, s: 'const a = 1;\u0000' },
      { v: 1, w: { KmsLabScenario: 1, Accounts: { '999999999999': {} } } },
      { v: 1 },
    ];
    for (const c of cases) {
      const e = await refusal(
        decodeShare(await payloadOf(JSON.stringify(c)), { isKnownLesson: (id) => !!lessonById(id) }),
      );
      expect(e.problem).toBe('invalid');
    }
    const proto = '{"v":1,"w":{"KmsLabScenario":1,"Accounts":{"__proto__":{"Users":[]}}}}';
    expect((await refusal(decodeShare(await payloadOf(proto)))).problem).toBe('invalid');
  });

  it('deeply nested JSON is refused before JSON.parse', async () => {
    const deep = `{"v":1,"w":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const e = await refusal(decodeShare(await payloadOf(deep)));
    expect(e.problem).toBe('invalid');
    expect(e.message).toMatch(/nests/);
  });

  it('a deflate bomb stops at the cap', async () => {
    // 64 MiB of spaces compresses to ~64 KiB; the link is refused as oversized without inflating it all.
    const bomb = await deflate(new Uint8Array(8 * 1024 * 1024).fill(0x20));
    const payload = b64url(bomb);
    expect(payload.length).toBeLessThan(SHARE_LIMITS.maxEncodedChars);
    const e = await refusal(decodeShare(payload));
    expect(e.problem).toBe('oversized');
  });

  it('fuzz: random bytes and mutated links only ever fail with ShareLinkError', async () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const good = await encodeShare({ version: 1, world: lessonById('grants')!.world, lessonId: 'grants' });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < 150; i++) {
      let p: string;
      if (i % 3 === 0)
        p = Array.from({ length: 1 + Math.floor(rnd() * 300) }, () => alphabet[Math.floor(rnd() * 64)]).join(
          '',
        );
      else {
        const chars = [...good];
        for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++)
          chars[Math.floor(rnd() * chars.length)] = alphabet[Math.floor(rnd() * 64)]!;
        p = chars.join('');
      }
      try {
        await decodeShare(p);
      } catch (e) {
        expect(e).toBeInstanceOf(ShareLinkError);
      }
    }
  });

  it('encoding refuses what decoding would refuse', async () => {
    await refusal(
      encodeShare({
        version: 1,
        world: { KmsLabScenario: 1, Accounts: { '111122223333': { Users: [{ UserName: 'a b' }] } } } as never,
      }),
    );
  });
});
