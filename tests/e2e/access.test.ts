/**
 * End-to-end: asymmetric keys and access control in Chromium. Sign and verify with an ECC key (the
 * page's PEM and signature verify with node:crypto), act as an IAM user who is denied and see why,
 * give the user a policy, create a grant, and validate CloudTrail log files after tampering.
 */
import { createPublicKey, verify } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.ts';

const ACCOUNT = '111122223333';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const ALICE = `arn:aws:iam::${ACCOUNT}:user/Alice`;
const MESSAGE = 'Invoice 2026-0042: 1,200.00 EUR';

let h: Harness;
let page: Page;

async function createKey(alias: string, usage: string, spec: string) {
  await page.getByTestId('create-usage').selectOption(usage);
  await page.getByTestId('create-spec').selectOption(spec);
  await page.getByTestId('create-alias').fill(alias);
  await page.getByTestId('create-submit').click();
  await page.locator('[data-testid="world-key"]', { hasText: `alias/${alias}` }).waitFor();
}

const openKey = (alias: string) =>
  page
    .locator('[data-testid="world-key"]', { hasText: `alias/${alias}` })
    .first()
    .click();

async function encryptWith(alias: string, text: string) {
  const value = await page
    .locator('[data-testid="encrypt-key"] option', { hasText: `alias/${alias}` })
    .getAttribute('value');
  await page.getByTestId('encrypt-key').selectOption(value!);
  await page.getByTestId('encrypt-plaintext').fill(text);
  await page.getByTestId('encrypt-submit').click();
}

describe('keys, identities, grants and trail integrity in Chromium', () => {
  beforeAll(async () => {
    h = await startHarness();
    page = h.page;
    page.on('worker', (w) =>
      w.on('console', (m) => {
        if (m.type() === 'error') h.errors.push(`worker console: ${m.text()}`);
      }),
    );
    await page.goto(h.base);
    await page.locator('[data-testid="app"][data-ready="true"]').waitFor();
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('signs and verifies text with an ECC_NIST_P256 key, interoperably', async () => {
    await createKey('signer', 'SIGN_VERIFY', 'ECC_NIST_P256');
    await openKey('signer');
    await page.getByTestId('public-key-get').click();
    const pem = (await page.getByTestId('public-key-pem').textContent())!;
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----/);

    await expect(page.getByTestId('sign-algorithm').inputValue()).resolves.toBe('ECDSA_SHA_256');
    await page.getByTestId('sign-message').fill(MESSAGE);
    await page.getByTestId('sign-submit').click();
    await expect
      .poll(() => page.getByTestId('sign-signature').inputValue())
      .toMatch(/^[A-Za-z0-9+/]{40,}=*$/);
    const signature = await page.getByTestId('sign-signature').inputValue();
    // The downloadable public key verifies KMS's DER signature outside KMS.
    expect(
      verify('sha256', Buffer.from(MESSAGE), createPublicKey(pem), Buffer.from(signature, 'base64')),
    ).toBe(true);
    await page.getByTestId('verify-submit').click();
    await expect(page.getByTestId('verify-result').textContent()).resolves.toContain('SignatureValid: true');

    // Another message: Verify fails with AWS's exception.
    await page.getByTestId('sign-message').fill(`${MESSAGE}!`);
    await page.getByTestId('verify-submit').click();
    await expect(page.getByTestId('sign-error').textContent()).resolves.toContain(
      'KMSInvalidSignatureException',
    );
  });

  it('denies an IAM user without a policy and explains the deciding rule', async () => {
    await createKey('app', 'ENCRYPT_DECRYPT', 'SYMMETRIC_DEFAULT');
    await page.getByTestId('iam-user-name').fill('Alice');
    await page.getByTestId('iam-create-user').click();
    const alice = page.locator(`[data-testid="identity"][data-arn="${ALICE}"]`);
    await alice.waitFor();
    await alice.getByTestId('identity-act-as').click();
    await expect(page.getByTestId('principal-select').inputValue()).resolves.toBe(ALICE);

    await encryptWith('app', 'payroll');
    await expect(page.getByTestId('encrypt-error').textContent()).resolves.toContain('AccessDeniedException');
    await page
      .locator('[data-testid="call-log-entry"][data-operation="Encrypt"][data-outcome="denied"]')
      .first()
      .click();
    const rule = page.getByTestId('explanation-rule');
    await rule.waitFor();
    expect(await rule.getAttribute('data-rule')).toBe('no-identity-policy-allow');
    expect(await rule.textContent()).toContain('no IAM policy of the caller allows the action');
    // The key policy's "Enable IAM User Permissions" statement matched through the account.
    await expect(page.getByTestId('explanation-statement').first().textContent()).resolves.toContain(
      'Enable IAM User Permissions',
    );
    await page.getByTestId('explanation-raw-toggle').check();
    expect(await page.getByTestId('explanation-raw').textContent()).toContain(
      '"rule": "no-identity-policy-allow"',
    );
  });

  it('allows the call once the user has an identity policy', async () => {
    await page.getByTestId('principal-select').selectOption(ROOT);
    // A malformed document is refused with IAM's exception.
    await page
      .getByTestId('iam-policy-doc')
      .fill('{"Version":"2012-10-17","Statement":[{"Effect":"Maybe"}]}');
    await page.getByTestId('iam-policy-put').click();
    await expect(page.getByTestId('iam-policy-error').textContent()).resolves.toContain(
      'MalformedPolicyDocument',
    );
    await page.getByRole('button', { name: 'Template' }).click();
    await page.getByTestId('iam-policy-put').click();
    await page.getByTestId('iam-policy-saved').waitFor();
    await page
      .locator(`[data-testid="identity"][data-arn="${ALICE}"] [data-testid="identity-policy"]`)
      .waitFor();

    await page.getByTestId('principal-select').selectOption(ALICE);
    await encryptWith('app', 'payroll');
    await page.getByTestId('encrypt-ciphertext').waitFor();
    await page
      .locator('[data-testid="call-log-entry"][data-operation="Encrypt"][data-outcome="success"]')
      .first()
      .click();
    await expect(page.getByTestId('explanation-rule').getAttribute('data-rule')).resolves.toBe(
      'key-policy-allows-account-and-identity-policy-allows',
    );
  });

  it('creates a grant from the key detail and lists it', async () => {
    await page.getByTestId('principal-select').selectOption(ROOT);
    await openKey('app');
    await page.getByTestId('grant-grantee').fill(ALICE);
    await page.getByTestId('grant-op-Decrypt').check();
    await page.getByTestId('grant-op-GenerateDataKey').check();
    await page.getByTestId('grant-constraint').selectOption('EncryptionContextSubset');
    await page.getByTestId('grant-context').getByTestId('ec-key').first().fill('dept');
    await page.getByTestId('grant-context').getByTestId('ec-value').first().fill('hr');
    await page.getByTestId('grant-name').fill('payroll-reader');
    await page.getByTestId('grant-create').click();
    const grantId = (await page.getByTestId('grant-created-id').textContent())!.trim();
    expect(grantId).toMatch(/^[0-9a-f]{64}$|^[0-9a-f]{32,}$/);
    expect((await page.getByTestId('grant-created-token').textContent())!.length).toBeGreaterThan(40);
    const listed = page.locator(`[data-testid="grant"][data-grant-id="${grantId}"]`);
    await listed.waitFor();
    expect(await listed.textContent()).toContain('dept=hr');
  });

  it('reports a tampered log file as INVALID', async () => {
    // CloudTrail delivers complete hours only.
    await page.getByTestId('clock-advance-1h').click();
    await page.getByTestId('integrity-deliver').click();
    await expect(page.getByTestId('integrity-message').textContent()).resolves.toMatch(/Delivered [1-9]/);
    await page.getByTestId('integrity-validate').click();
    await expect(page.getByTestId('integrity-summary').getAttribute('data-exit-code')).resolves.toBe('0');

    const log = page.locator('[data-testid="integrity-file"][data-kind="log"]').first();
    const key = (await log.getAttribute('data-key'))!;
    await log.getByTestId('integrity-flip').click();
    await page.getByTestId('integrity-message').filter({ hasText: 'Flipped' }).waitFor();
    await page.getByTestId('integrity-validate').click();
    const out = page.getByTestId('integrity-output');
    await out.waitFor();
    const text = (await out.textContent())!;
    expect(text).toContain(
      `Log file\ts3://aws-cloudtrail-logs-kms-lab/${key}\tINVALID: hash value doesn't match`,
    );
    await expect(page.getByTestId('integrity-summary').getAttribute('data-exit-code')).resolves.toBe('1');
  });

  it('logged no console errors', () => {
    expect(h.errors).toEqual([]);
  });
});
