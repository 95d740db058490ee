/**
 * End-to-end (headless Chromium): the command line (`aws kms create-key`, then `encrypt` with a
 * `fileb://` upload, completion and history) and the scratchpad (snippets, the real
 * `@aws-sdk/client-kms` import, Stop and timeout of a runaway script while the page responds, the
 * sandbox's isolation from IndexedDB, the page and the network, and script error lines); the
 * desk (script, history, files) kept with the workspace across a reload and in a workspace file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startHarness, type Harness } from './harness.ts';

let h: Harness;
let page: Page;

interface ScratchpadHandle {
  setValue(text: string): void;
  getValue(): string;
  save(): Promise<void>;
}

async function scriptText(): Promise<string> {
  return page.evaluate(() =>
    (window as unknown as { kmsLabScratchpad: ScratchpadHandle }).kmsLabScratchpad.getValue(),
  );
}

/** Opens the scratchpad tab and waits for Monaco with the workspace's script. */
async function openScratchpad() {
  await page.getByTestId('tab-scratchpad').click();
  await page.locator('[data-testid="script-editor"][data-ready="true"]').waitFor({ timeout: 20_000 });
}

async function switchToNewWorkspace(name: string) {
  await page.getByTestId('workspace-select').selectOption('+new');
  await page.getByTestId('new-workspace-name').fill(name);
  await page.getByTestId('new-workspace-create').click();
  await page.waitForFunction(
    (n) => (document.getElementById('workspace-select') as HTMLSelectElement | null)?.value === n,
    name,
  );
}

async function cli(line: string): Promise<string> {
  const before = await page.getByTestId('terminal-line').count();
  const input = page.getByTestId('terminal-input');
  await input.fill(line);
  await input.press('Enter');
  await page.waitForFunction((n) => {
    const rows = document.querySelectorAll('[data-testid="terminal-line"]');
    return (
      rows.length > n + 1 &&
      document.querySelector('[data-testid="terminal-input"]')?.getAttribute('placeholder') !== ''
    );
  }, before);
  const rows = await page.getByTestId('terminal-line').allTextContents();
  return rows.slice(before + 1).join('\n');
}

async function setScript(text: string) {
  await page.evaluate((t) => {
    (window as unknown as { kmsLabScratchpad: ScratchpadHandle }).kmsLabScratchpad.setValue(t);
  }, text);
}

/** Runs the script in the editor (as the Run button does); resolves with the final status line. */
async function runScript(): Promise<string> {
  await page.evaluate(() =>
    (window as unknown as { kmsLabScratchpad: { run(): Promise<void> } }).kmsLabScratchpad.run(),
  );
  await page.getByTestId('script-run').waitFor();
  return (await page.getByTestId('script-status').last().textContent()) ?? '';
}

const outputText = () => page.getByTestId('script-output').innerText();

describe('command line and scratchpad', () => {
  beforeAll(async () => {
    h = await startHarness();
    page = h.page;
    await page.goto(h.base);
    await page.locator('[data-testid="app"][data-ready="true"]').waitFor();
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it('runs aws kms create-key, then encrypt with an uploaded fileb:// file', async () => {
    const created = await cli('aws kms create-key --description e2e-cli');
    const keyId = /"KeyId": "([0-9a-f-]{36})"/.exec(created)?.[1];
    expect(keyId, created).toBeTruthy();

    await page.getByTestId('terminal-upload').setInputFiles({
      name: 'secret.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('top secret'),
    });
    await page.getByTestId('terminal-line').filter({ hasText: 'uploaded secret.txt (10 bytes)' }).waitFor();

    const encrypted = await cli(`aws kms encrypt --key-id ${keyId} --plaintext fileb://secret.txt`);
    expect(encrypted).toContain('"CiphertextBlob"');
    expect(encrypted).toContain(`key/${keyId}`);
    const decrypted = await cli(
      `aws kms encrypt --key-id ${keyId} --plaintext fileb://secret.txt --query CiphertextBlob --output text | base64 -d > ct.bin && aws kms decrypt --ciphertext-blob fileb://ct.bin --query Plaintext --output text | base64 -d`,
    );
    expect(decrypted).toContain('top secret');

    // Completion and history.
    const input = page.getByTestId('terminal-input');
    await input.fill('aws kms encr');
    await input.press('Tab');
    await expect.poll(() => input.inputValue()).toBe('aws kms encrypt ');
    await input.fill('');
    await input.press('ArrowUp');
    await expect.poll(() => input.inputValue()).toContain('aws kms decrypt');
    await input.fill('');

    // The calls went through the engine: they are in the CloudTrail view.
    await page.getByTestId('trail-record').filter({ hasText: 'Encrypt' }).first().waitFor();
    await page.getByTestId('terminal').screenshot({ path: '/tmp/kms-lab-terminal.png' });
  });

  it('loads Monaco on first open and runs a snippet whose call reaches the trail', async () => {
    await page.getByTestId('tab-scratchpad').click();
    await page.locator('[data-testid="script-editor"][data-ready="true"]').waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="script-editor"] .monaco-editor .view-lines').waitFor();
    await page.getByTestId('script-snippets').selectOption('envelope');
    await page.getByTestId('script-run').click();
    await page
      .getByTestId('script-status')
      .filter({ hasText: /^(Done|Failed)/ })
      .waitFor({ timeout: 20_000 });
    const status = (await page.getByTestId('script-status').last().textContent()) ?? '';
    expect(status, await outputText()).toMatch(/^Done/);
    expect(await outputText()).toContain('opened: quarterly numbers');
    await page.locator('[data-testid="script-call"][data-op="GenerateDataKey"]').first().waitFor();
    await page.getByTestId('trail-record').filter({ hasText: 'GenerateDataKey' }).first().waitFor();
  });

  it('runs the real @aws-sdk/client-kms import (KMSClient + Command classes)', async () => {
    await setScript(`import { KMSClient, CreateKeyCommand, EncryptCommand, DecryptCommand, NotFoundException } from '@aws-sdk/client-kms';
const client = new KMSClient({ region: 'us-west-2' });
const { KeyMetadata } = await client.send(new CreateKeyCommand({ Description: 'sdk import' }));
const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: lab.utf8('via the SDK') }));
const { Plaintext } = await client.send(new DecryptCommand({ CiphertextBlob }));
console.log('round trip:', lab.text(Plaintext!), KeyMetadata!.Arn);
try { await client.send(new EncryptCommand({ KeyId: 'alias/missing', Plaintext: lab.utf8('x') })); }
catch (e) { console.log('caught', e instanceof NotFoundException, (e as Error).name); }
`);
    const status = await runScript();
    const text = await outputText();
    expect(status, text).toMatch(/^Done/);
    expect(text).toContain('round trip: via the SDK');
    expect(text).toContain(':us-west-2:111122223333:key/');
    expect(text).toContain('caught true NotFoundException');
  });

  it('stops `while (true) {}` with Stop and with the timeout, while the page keeps responding', async () => {
    await setScript('console.log("spinning");\nwhile (true) {}\n');
    await page.getByTestId('script-run').click();
    await page.getByTestId('script-log').filter({ hasText: 'spinning' }).waitFor();
    // The page answers while the script spins: a round trip to the page and a UI action.
    const t0 = Date.now();
    expect(await page.evaluate(() => 6 * 7)).toBe(42);
    expect(Date.now() - t0).toBeLessThan(1000);
    await page.getByTestId('script-stop').click();
    await page.getByTestId('script-run').waitFor();
    expect(await page.getByTestId('script-status').last().textContent()).toBe('Stopped.');

    await page.getByTestId('script-timeout').fill('1');
    const started = Date.now();
    const status = await runScript();
    expect(status).toContain('timeout');
    expect(Date.now() - started).toBeLessThan(5000);

    // The engine is still consistent and answering.
    await page.getByTestId('script-timeout').fill('10');
    await setScript('const { Keys } = await kms.listKeys({});\nconsole.log("keys", Keys!.length);\n');
    expect(await runScript()).toMatch(/^Done/);
    await page.getByTestId('tab-cli').click();
    expect(await cli('aws kms list-keys --query "length(Keys)"')).toMatch(/\d+/);
    await page.getByTestId('tab-scratchpad').click();
  });

  it('isolates the script: no IndexedDB, no page, no network', async () => {
    await setScript(`const r: Record<string, string> = {};
try {
  r.idb = await new Promise<string>((resolve) => {
    const req = indexedDB.open('steal');
    req.onsuccess = () => resolve('opened');
    req.onerror = () => resolve('error:' + (req.error?.name ?? ''));
  });
} catch (e) { r.idb = 'threw:' + (e as Error).name; }
const g = globalThis as Record<string, unknown>;
r.page = [typeof g.document, typeof g.window, typeof g.parent, typeof g.localStorage].join(',');
try { await fetch(${JSON.stringify(h.base)}); r.fetch = 'fetched'; } catch (e) { r.fetch = 'blocked:' + (e as Error).name; }
try { (g.importScripts as (u: string) => void)?.(${JSON.stringify(h.base)}); r.importScripts = 'loaded'; } catch (e) { r.importScripts = 'blocked:' + (e as Error).name; }
console.log('ISOLATION ' + JSON.stringify(r));
`);
    expect(await runScript()).toMatch(/^Done/);
    const line = (await outputText()).split('\n').find((l) => l.startsWith('ISOLATION')) ?? '';
    const r = JSON.parse(line.slice('ISOLATION '.length)) as Record<string, string>;
    expect(r.idb).not.toBe('opened');
    expect(r.page).toBe('undefined,undefined,undefined,undefined');
    expect(r.fetch).toMatch(/^blocked:/);
    expect(r.importScripts).not.toBe('loaded');
  });

  it('shows the script line of an error, and a denial with its explanation', async () => {
    await setScript('const a: number = 1;\n\nconsole.log("before", a);\nthrow new Error("boom");\n');
    await runScript();
    const err = page.getByTestId('script-error').last();
    await expect.poll(() => err.getAttribute('data-line')).toBe('4');
    expect(await err.textContent()).toContain('Error: boom');

    await setScript(`const { KeyMetadata } = await kms.createKey({});
const partner = lab.as({ principal: '444455556666' });

await partner.describeKey({ KeyId: KeyMetadata!.Arn! });
`);
    await runScript();
    const denied = page.getByTestId('script-error').last();
    await expect.poll(() => denied.getAttribute('data-line')).toBe('4');
    expect(await denied.textContent()).toContain('AccessDeniedException');
    await denied.getByTestId('explanation').waitFor();
    await page.getByTestId('scratchpad').screenshot({ path: '/tmp/kms-lab-scratchpad.png' });
  });

  it('reaches the world through lab: IAM, the clock', async () => {
    await setScript(`const { User } = await lab.iam.createUser({ UserName: 'e2e-world' });
console.log('USER ' + User.Arn);
const before = await lab.clock.now();
const moved = await lab.clock.advanceDays(1);
const after = await lab.clock.now();
console.log('CLOCK ' + JSON.stringify({ before: before.getTime(), after: after.getTime(), moved: moved.now instanceof Date }));
console.log('now:', after);
try { await lab.iam.createUser({ UserName: 'e2e-world' }); } catch (e) { console.log('DUP ' + (e as Error).name); }
`);
    const status = await runScript();
    const text = await outputText();
    expect(status, text).toMatch(/^Done/);
    expect(text).toContain('USER arn:aws:iam::111122223333:user/e2e-world');
    expect(text).toContain('DUP EntityAlreadyExistsException');
    const line = text.split('\n').find((l) => l.startsWith('CLOCK ')) ?? '';
    const c = JSON.parse(line.slice('CLOCK '.length)) as { before: number; after: number; moved: boolean };
    expect(c.moved).toBe(true);
    expect(c.after - c.before).toBeGreaterThanOrEqual(86_400_000);
    expect(c.after - c.before).toBeLessThan(86_400_000 + 60_000);
    await page.locator('[data-testid="script-call"][data-op="lab.iam.createUser"]').first().waitFor();
    await page.locator('[data-testid="script-call"][data-op="lab.clock.advance"]').first().waitFor();

    // The snippet: an IAM user's policy, a deletion the clock completes, a CloudHSM fault.
    await page.getByTestId('script-snippets').selectOption('world');
    const snippet = await runScript();
    const out = await outputText();
    expect(snippet, out).toMatch(/^Done/);
    expect(out).toContain('alice may not delete the key: AccessDeniedException');
    expect(out).toContain('the key is gone: NotFoundException');
  });

  it('keeps the script, the command history and the files with the workspace across a reload', async () => {
    await setScript('// kept with the workspace\nconsole.log("desk");\n');
    await page.evaluate(() =>
      (window as unknown as { kmsLabScratchpad: ScratchpadHandle }).kmsLabScratchpad.save(),
    );
    await page.getByTestId('tab-cli').click();
    const keyId = (
      await cli('aws kms create-key --description desk --query KeyMetadata.KeyId --output text')
    ).trim();
    expect(keyId).toMatch(/^[0-9a-f-]{36}$/);
    await page.getByTestId('terminal-upload').setInputFiles({
      name: 'desk.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('kept on the desk'),
    });
    await page.getByTestId('terminal-line').filter({ hasText: 'uploaded desk.txt (16 bytes)' }).waitFor();
    expect(await cli('echo made by the shell > made.txt && ls')).toContain('made.txt');
    expect(await cli(`echo ${keyId} > key-id.txt && cat key-id.txt`)).toContain(keyId);

    await page.reload();
    await page.locator('[data-testid="app"][data-ready="true"]').waitFor();
    await page.locator('[data-testid="terminal-output"][data-history-ready="true"]').waitFor();
    const input = page.getByTestId('terminal-input');
    await input.press('ArrowUp');
    await expect.poll(() => input.inputValue()).toBe(`echo ${keyId} > key-id.txt && cat key-id.txt`);
    await input.fill('');
    expect(await cli('cat made.txt')).toContain('made by the shell');
    const encrypted = await cli(
      `aws kms encrypt --key-id $(cat key-id.txt) --plaintext fileb://desk.txt --query CiphertextBlob --output text | base64 -d > desk.ct && echo stored`,
    );
    expect(encrypted).toBe('stored');
    expect(
      await cli(
        'aws kms decrypt --ciphertext-blob fileb://desk.ct --query Plaintext --output text | base64 -d',
      ),
    ).toContain('kept on the desk');
    // The file uploaded by the first test is there too.
    expect(await cli(`aws kms encrypt --key-id ${keyId} --plaintext fileb://secret.txt`)).toContain(
      '"CiphertextBlob"',
    );

    await openScratchpad();
    await expect.poll(scriptText).toContain('// kept with the workspace');
  });

  it('exports the desk with the workspace and imports it into another one', async () => {
    const from = await page.getByTestId('workspace-select').inputValue();
    const download = page.waitForEvent('download');
    await page.getByTestId('export').click();
    const file = await (await download).path();

    await switchToNewWorkspace('desk-copy');
    // A new workspace: its own (default) script, no files.
    await page.locator('[data-testid="scratchpad"][data-workspace="desk-copy"]').waitFor();
    expect(await scriptText()).not.toContain('// kept with the workspace');
    await page.getByTestId('tab-cli').click();
    expect(await cli('cat made.txt')).toContain('No such file');

    await page.getByTestId('import-file').setInputFiles(file!);
    await openScratchpad();
    await expect.poll(scriptText).toContain('// kept with the workspace');
    await page.getByTestId('tab-cli').click();
    expect(await cli('cat made.txt')).toContain('made by the shell');
    // The imported key decrypts the imported ciphertext file.
    expect(
      await cli(
        'aws kms decrypt --ciphertext-blob fileb://desk.ct --query Plaintext --output text | base64 -d',
      ),
    ).toContain('kept on the desk');
    const input = page.getByTestId('terminal-input');
    await input.fill('');
    await input.press('ArrowUp');
    await expect.poll(() => input.inputValue()).toContain('aws kms decrypt');
    await input.fill('');

    // A file whose desk is not valid changes nothing.
    const bad = JSON.stringify({
      format: 'kms-lab-workspace',
      version: 1,
      name: 'bad',
      exportedAt: '',
      world: { keys: [], aliases: [], trail: [] },
      desk: { script: 'replaced?', files: [{ path: 'x', base64: '@@' }] },
    });
    await page.getByTestId('import-file').setInputFiles({
      name: 'bad.json',
      mimeType: 'application/json',
      buffer: Buffer.from(bad),
    });
    await page.getByTestId('workspace-problem').filter({ hasText: 'not valid' }).waitFor();
    expect(await cli('cat made.txt')).toContain('made by the shell');
    await openScratchpad();
    expect(await scriptText()).toContain('// kept with the workspace');

    await page.getByTestId('workspace-select').selectOption(from);
    // The editor shows the workspace's own script once it is loaded.
    await page.locator(`[data-testid="scratchpad"][data-workspace="${from}"]`).waitFor();
    expect(await scriptText()).toContain('// kept with the workspace');
  });

  it('refuses malformed world messages from the sandbox', async () => {
    await setScript(`const g = globalThis as unknown as {
  postMessage(m: unknown): void;
  addEventListener(t: string, f: (e: MessageEvent) => void): void;
  removeEventListener(t: string, f: (e: MessageEvent) => void): void;
};
let id = 1_000_000;
const ask = (m: Record<string, unknown>) =>
  new Promise<{ ok: boolean; error?: { code: string } }>((resolve) => {
    const mine = ++id;
    const on = (e: MessageEvent) => {
      if (e.data?.id !== mine) return;
      g.removeEventListener('message', on);
      resolve(e.data);
    };
    g.addEventListener('message', on);
    g.postMessage({ t: 'world', id: mine, region: lab.region, input: {}, ...m });
  });
const r = {
  family: await ask({ family: 'kms', op: 'CreateUser' }),
  op: await ask({ family: 'iam', op: 'DeleteEverything' }),
  badName: await ask({ family: 'iam', op: 'createUser; drop' }),
  input: await ask({ family: 'iam', op: 'CreateUser', input: { UserName: new Map([['a', 1]]) } }),
  clock: await ask({ family: 'clock', op: 'Advance', input: { Seconds: -5 } }),
  region: await ask({ family: 'iam', op: 'ListUsers', region: 'mars-1' }),
  principal: await ask({ family: 'iam', op: 'ListUsers', principal: 'arn:aws:iam::999999999999:root' }),
};
console.log('REFUSED ' + JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.ok ? 'ok' : v.error!.code]))));
`);
    const status = await runScript();
    const text = await outputText();
    expect(status, text).toMatch(/^Done/);
    const line = text.split('\n').find((l) => l.startsWith('REFUSED ')) ?? '';
    expect(JSON.parse(line.slice('REFUSED '.length))).toEqual({
      family: 'UnknownOperationException',
      op: 'UnknownOperationException',
      badName: 'UnknownOperationException',
      input: 'ValidationException',
      clock: 'ValidationException',
      region: 'UnrecognizedClientException',
      principal: 'UnrecognizedClientException',
    });
  });
});
