/**
 * The learner's desk (workers/desk.ts): a workspace's script, command history and shell files in
 * IndexedDB (fake-indexeddb here), their limits, the take-over of what older versions left in
 * localStorage, the shell's files surviving a new session (a reload), and the desk inside a
 * workspace file (src/ui/workspaceFile.ts), checked before anything changes.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import {
  appendDeskHistory,
  checkDesk,
  deleteDesk,
  DESK_HISTORY_LIMIT,
  deskFiles,
  MAX_DESK_BYTES,
  MAX_FILE_BYTES,
  MAX_HISTORY_LINE,
  MAX_SCRIPT_CHARS,
  openDeskText,
  readDesk,
  replaceDesk,
  saveDeskFiles,
  saveDeskScript,
  type DeskData,
} from '../../workers/desk.ts';
import { dropSession, listFiles, putFile, runCliLine } from '../../workers/runner/kmsSide.ts';
import { decodeWorkspaceFile, encodeWorkspaceFile } from '../../src/ui/workspaceFile.ts';
import { createKms, MemoryStore, rootPrincipal, type CallerContext } from '../../src/kms/index.ts';

let counter = 0;
const fresh = () => `desk-test-${++counter}-${crypto.randomUUID().slice(0, 8)}`;
const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);
const text = (s: string) => new TextEncoder().encode(s);
const WORLD = { keys: [], aliases: [], trail: [] };

describe('desk storage', () => {
  it('starts empty, keeps the script and a bounded history without repeats or blanks', async () => {
    const ws = fresh();
    expect(await openDeskText(ws)).toEqual({ history: [] });
    await saveDeskScript(ws, 'console.log(1);');
    await appendDeskHistory(ws, 'aws kms list-keys');
    await appendDeskHistory(ws, 'aws kms list-keys');
    await appendDeskHistory(ws, '   ');
    await appendDeskHistory(ws, 'x'.repeat(MAX_HISTORY_LINE + 1));
    await appendDeskHistory(ws, 'ls');
    expect(await openDeskText(ws)).toEqual({
      script: 'console.log(1);',
      history: ['aws kms list-keys', 'ls'],
    });
    for (let i = 0; i < DESK_HISTORY_LIMIT + 20; i++) await appendDeskHistory(ws, `echo ${i}`);
    const { history } = await openDeskText(ws);
    expect(history).toHaveLength(DESK_HISTORY_LIMIT);
    expect(history.at(-1)).toBe(`echo ${DESK_HISTORY_LIMIT + 19}`);
    expect(history[0]).toBe('echo 20');
  });

  it('refuses a script over the limit and keeps the one before', async () => {
    const ws = fresh();
    await saveDeskScript(ws, 'kept');
    await expect(saveDeskScript(ws, 'x'.repeat(MAX_SCRIPT_CHARS + 1))).rejects.toThrow(/limited to/);
    expect((await openDeskText(ws)).script).toBe('kept');
  });

  it('takes over a legacy script and history only where the desk has none', async () => {
    const ws = fresh();
    expect(await openDeskText(ws, { script: 'old script', history: ['aws kms help'] })).toEqual({
      script: 'old script',
      history: ['aws kms help'],
    });
    // Taken over once: the desk keeps it without the legacy copy, and a later legacy copy loses.
    expect(await openDeskText(ws)).toEqual({ script: 'old script', history: ['aws kms help'] });
    await saveDeskScript(ws, 'new script');
    expect(await openDeskText(ws, { script: 'stale', history: ['stale'] })).toEqual({
      script: 'new script',
      history: ['aws kms help'],
    });
  });

  it('stores files within the per-file and total limits, all or none', async () => {
    const ws = fresh();
    await saveDeskFiles(ws, [
      { path: 'a.bin', bytes: bytes(10) },
      { path: 'b.txt', bytes: text('hi') },
    ]);
    await expect(saveDeskFiles(ws, [{ path: 'big.bin', bytes: bytes(MAX_FILE_BYTES + 1) }])).rejects.toThrow(
      `big.bin: files are limited to ${MAX_FILE_BYTES} bytes.`,
    );
    const eight = Array.from({ length: MAX_DESK_BYTES / MAX_FILE_BYTES - 1 }, (_, i) => ({
      path: `f${i}.bin`,
      bytes: bytes(MAX_FILE_BYTES),
    }));
    await saveDeskFiles(ws, eight);
    // One more mebibyte does not fit (a.bin and b.txt are there too); nothing of the batch is stored.
    await expect(
      saveDeskFiles(ws, [
        { path: 'c.bin', bytes: bytes(1) },
        { path: 'last.bin', bytes: bytes(MAX_FILE_BYTES) },
      ]),
    ).rejects.toThrow(/no space left: the files of a workspace are limited to 8388608 bytes \(8 MB\)/);
    expect((await deskFiles(ws)).map((f) => f.path)).not.toContain('c.bin');
    // Overwriting a file counts its new size only.
    await saveDeskFiles(ws, [{ path: 'f0.bin', bytes: bytes(5) }]);
    await saveDeskFiles(ws, [{ path: 'last.bin', bytes: bytes(MAX_FILE_BYTES - 100) }]);
    const files = await deskFiles(ws);
    expect(files.find((f) => f.path === 'b.txt')?.bytes).toEqual(text('hi'));
    expect(files.reduce((n, f) => n + f.bytes.length, 0)).toBeLessThanOrEqual(MAX_DESK_BYTES);
  });

  it('reads, replaces and deletes a whole desk', async () => {
    const ws = fresh();
    await saveDeskScript(ws, 'one');
    await appendDeskHistory(ws, 'ls');
    await saveDeskFiles(ws, [{ path: 'old.txt', bytes: text('old') }]);
    const other: DeskData = {
      script: 'two',
      history: ['aws kms list-aliases'],
      files: [{ path: 'new.bin', bytes: bytes(3, 7) }],
    };
    await replaceDesk(ws, other);
    expect(await readDesk(ws)).toEqual(other);
    // Not valid: refused, nothing changed.
    await expect(replaceDesk(ws, { history: [42], files: [] } as unknown as DeskData)).rejects.toThrow(
      /not valid: a command history line is not text/,
    );
    expect(await readDesk(ws)).toEqual(other);
    await deleteDesk(ws);
    expect(await readDesk(ws)).toEqual({ history: [], files: [] });
  });
});

describe('checkDesk', () => {
  const bad = (desk: unknown) => () => checkDesk(desk);
  it('accepts a valid desk and an empty one', () => {
    expect(checkDesk({})).toEqual({ history: [], files: [] });
    expect(
      checkDesk({
        script: 's',
        history: ['a'],
        files: [
          { path: 'z', bytes: bytes(1) },
          { path: 'a', bytes: bytes(2) },
        ],
      }),
    ).toEqual({
      script: 's',
      history: ['a'],
      files: [
        { path: 'a', bytes: bytes(2) },
        { path: 'z', bytes: bytes(1) },
      ],
    });
  });

  it('refuses wrong types, sizes and names with a message saying what', () => {
    expect(bad(null)).toThrow(/not an object/);
    expect(bad([])).toThrow(/not an object/);
    expect(bad({ script: 5 })).toThrow(/the script is not text/);
    expect(bad({ script: 'x'.repeat(MAX_SCRIPT_CHARS + 1) })).toThrow(/script is longer than/);
    expect(bad({ history: 'ls' })).toThrow(/history is not a list/);
    expect(bad({ history: Array(DESK_HISTORY_LIMIT + 1).fill('ls') })).toThrow(/more than 200 lines/);
    expect(bad({ history: ['x'.repeat(MAX_HISTORY_LINE + 1)] })).toThrow(/line is longer than/);
    expect(bad({ files: {} })).toThrow(/files are not a list/);
    expect(bad({ files: [{ bytes: bytes(1) }] })).toThrow(/a file has no name/);
    expect(bad({ files: [{ path: 'a', bytes: 'AAAA' }] })).toThrow(/"a" has no bytes/);
    expect(bad({ files: [{ path: '', bytes: bytes(1) }] })).toThrow(/not a valid file name/);
    expect(bad({ files: [{ path: './a/../b', bytes: bytes(1) }] })).toThrow(/not in its plain form/);
    expect(bad({ files: [{ path: 'a\0b', bytes: bytes(1) }] })).toThrow(/not a valid file name/);
    expect(
      bad({
        files: [
          { path: 'a', bytes: bytes(1) },
          { path: 'a', bytes: bytes(1) },
        ],
      }),
    ).toThrow(/"a" is there twice/);
    expect(bad({ files: [{ path: 'a', bytes: bytes(MAX_FILE_BYTES + 1) }] })).toThrow(/files are limited to/);
    const nine = Array.from({ length: 9 }, (_, i) => ({ path: `f${i}`, bytes: bytes(MAX_FILE_BYTES) }));
    expect(bad({ files: nine })).toThrow(/no space left/);
  });
});

describe('the shell keeps its files with the workspace', () => {
  it('finds uploaded and redirected files in a new session, and refuses what does not fit', async () => {
    const ws = fresh();
    const kms = await createKms({ store: new MemoryStore() });
    const caller: CallerContext = {
      principal: rootPrincipal('111122223333'),
      region: 'us-east-1',
      source: 'cli',
    };
    const run = (line: string) => runCliLine(kms, ws, line, caller);

    expect(await putFile(ws, './secret.txt', text('top secret'))).toEqual({ path: 'secret.txt', size: 10 });
    const keyId = (await run('aws kms create-key --query KeyMetadata.KeyId --output text')).stdout.trim();
    const enc = await run(
      `aws kms encrypt --key-id ${keyId} --plaintext fileb://secret.txt --query CiphertextBlob --output text | base64 -d > ct.bin`,
    );
    expect(enc.stderr).toBe('');

    // A reload: the worker starts a new session, which reads the files from the desk.
    dropSession(ws);
    expect(await listFiles(ws)).toEqual([
      { path: 'ct.bin', size: expect.any(Number) },
      { path: 'secret.txt', size: 10 },
    ]);
    const dec = await run(
      'aws kms decrypt --ciphertext-blob fileb://ct.bin --query Plaintext --output text | base64 -d',
    );
    expect(dec.stdout).toBe('top secret');

    await expect(putFile(ws, 'huge.bin', bytes(MAX_FILE_BYTES + 1))).rejects.toThrow(/files are limited to/);
    await expect(putFile(ws, '', bytes(1))).rejects.toThrow(/not a valid file name/);
    // A redirect that would pass the total: refused with a clear message, exit code 1, nothing stored.
    for (let i = 0; i < 7; i++) await putFile(ws, `fill${i}.bin`, bytes(MAX_FILE_BYTES));
    const full = await run('cat fill0.bin > more.bin && echo after');
    expect(full.exitCode).toBe(1);
    expect(full.stdout).toBe('');
    expect(full.stderr).toMatch(/^bash: more\.bin: no space left/);
    dropSession(ws);
    expect((await listFiles(ws)).map((f) => f.path)).not.toContain('more.bin');
  });
});

describe('the desk in a workspace file', () => {
  const desk: DeskData = {
    script: 'await kms.listKeys({});',
    history: ['aws kms list-keys', 'ls'],
    files: [
      { path: 'ct.bin', bytes: new Uint8Array([0, 1, 2, 250, 255]) },
      { path: 'secret.txt', bytes: text('top secret') },
    ],
  };

  it('travels with the world, its files as base64', () => {
    const file = encodeWorkspaceFile('w', WORLD, { desk, now: new Date('2026-01-01T00:00:00Z') });
    const raw = JSON.parse(file) as { desk: { files: { path: string; base64: string }[] } };
    expect(raw.desk.files[1]).toEqual({ path: 'secret.txt', base64: 'dG9wIHNlY3JldA==' });
    const back = decodeWorkspaceFile(file);
    expect(back.desk).toEqual(desk);
    expect(back.world).toEqual(WORLD);
    expect(back.exportedAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('reads a file from before desks (no desk) as before', () => {
    const old = JSON.stringify({
      format: 'kms-lab-workspace',
      version: 1,
      name: 'w',
      exportedAt: '',
      world: WORLD,
    });
    const back = decodeWorkspaceFile(old);
    expect(back.desk).toBeUndefined();
    expect('desk' in back).toBe(false);
  });

  it('refuses a file whose desk is not valid, saying why', () => {
    const withDesk = (d: unknown) =>
      JSON.stringify({
        format: 'kms-lab-workspace',
        version: 1,
        name: 'w',
        exportedAt: '',
        world: WORLD,
        desk: d,
      });
    expect(() => decodeWorkspaceFile(withDesk('nope'))).toThrow(/desk .* is not valid: it is not an object/);
    expect(() => decodeWorkspaceFile(withDesk({ files: [{ path: 'a', base64: '@@@' }] }))).toThrow(
      /the bytes of "a" are not base64/,
    );
    expect(() => decodeWorkspaceFile(withDesk({ files: [{ path: 'a' }] }))).toThrow(/the bytes of "a"/);
    expect(() => decodeWorkspaceFile(withDesk({ history: [1] }))).toThrow(/history line is not text/);
    expect(() => decodeWorkspaceFile(withDesk({ script: {} }))).toThrow(/script is not text/);
    const big = 'A'.repeat(Math.ceil((MAX_FILE_BYTES + 3) / 3) * 4);
    expect(() => decodeWorkspaceFile(withDesk({ files: [{ path: 'a', base64: big }] }))).toThrow(/at most/);
  });
});
