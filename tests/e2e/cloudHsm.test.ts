/**
 * End-to-end: a CloudHSM key store set up from the Region card, a key in it serving Encrypt from
 * an HSM in one AZ, and the faults injected from the card (lose an AZ, stop an HSM, drop the
 * connection), in Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startHarness, type Harness } from './harness.ts';

let h: Harness;
let page: Page;
let keyId = '';

const card = () => page.locator('[data-testid="region-card"][data-region="us-east-1"]');
const lane = (az: string) => card().locator(`[data-testid="az-lane"][data-az="${az}"]`);
const HSM_HOP = /(hsm-[2-7a-zA-Z]+) in (us-east-1[a-c])/;

/** The number of calls the call log has seen since the page opened. */
async function callCount(): Promise<number> {
  const text = (await page.locator('#log-title small').textContent()) ?? '';
  return Number(/^(\d+)/.exec(text.trim())?.[1] ?? 0);
}

/** Encrypts with the CloudHSM key; resolves with the newest Encrypt's hop labels and its outcome. */
async function encrypt(): Promise<{ ok: boolean; hops: string[]; error: string }> {
  const before = await callCount();
  await page.getByTestId('encrypt-key').selectOption(keyId);
  await page.getByTestId('encrypt-plaintext').fill('card 4111');
  await page.getByTestId('encrypt-submit').click();
  await page.waitForFunction(
    (n) =>
      Number(/^(\d+)/.exec(document.querySelector('#log-title small')?.textContent?.trim() ?? '')?.[1]) > n,
    before,
  );
  await page.locator('[data-testid="encrypt-ciphertext"], [data-testid="encrypt-error"]').first().waitFor();
  const ok = (await page.getByTestId('encrypt-ciphertext').count()) > 0;
  const error = ok ? '' : ((await page.getByTestId('encrypt-error').textContent()) ?? '');
  await page.locator('[data-testid="call-log-entry"][data-operation="Encrypt"]').first().click();
  const detail = page.locator('[data-testid="call-detail"][data-operation="Encrypt"]');
  await detail.waitFor();
  const hops = await detail.locator('ol.hops li').allTextContents();
  return { ok, hops, error };
}

describe('a CloudHSM key store in the world view', () => {
  beforeAll(async () => {
    h = await startHarness();
    page = h.page;
    await page.goto(h.base);
    await page.locator('[data-testid="app"][data-ready="true"]').waitFor();
    await page.getByTestId('speed-4').click();
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('sets up a two-AZ cluster, a connected key store and a key from the Region card', async () => {
    await card().getByTestId('cloudhsm-setup').click();
    await card()
      .locator('[data-testid="cloudhsm-setup-panel"][data-status="done"]')
      .waitFor({ timeout: 20_000 });
    await card().locator('[data-testid="keystore-state"][data-state="CONNECTED"]').waitFor();
    expect(await card().getByTestId('az-lane').count()).toBe(2);
    // Both HSMs hold the key's material.
    const hsms = card().getByTestId('hsm');
    expect(await hsms.count()).toBe(2);
    for (const m of await hsms.evaluateAll((els) => els.map((e) => e.getAttribute('data-materials'))))
      expect(m).toBe('1');
    const key = card().locator('[data-testid="world-key"]', { hasText: 'alias/cloudhsm-demo' });
    await key.waitFor();
    expect(await key.textContent()).toContain('AWS_CLOUDHSM');
    keyId = (await key.getAttribute('data-key-id'))!;
    expect(keyId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves Encrypt from an HSM in one AZ, then from the other AZ when that one is lost', async () => {
    const first = await encrypt();
    expect(first.ok).toBe(true);
    const served = first.hops.map((l) => HSM_HOP.exec(l)).find((m) => m && !/unavailable/.test(m.input));
    expect(served).toBeTruthy();
    const [, hsmId, az] = served!;
    await card().locator(`[data-testid="hsm"][data-hsm-id="${hsmId}"][data-served="true"]`).waitFor();

    await lane(az!).getByTestId('az-lose').click();
    await lane(az!).locator('[data-testid="az-restore"]').waitFor();
    expect(await lane(az!).getAttribute('data-down')).toBe('true');

    // Twice: round robin would come back to the lost AZ, but every call now goes to the other.
    for (let i = 0; i < 2; i++) {
      const next = await encrypt();
      expect(next.ok).toBe(true);
      const by = next.hops.map((l) => HSM_HOP.exec(l)).find((m) => m && !/unavailable/.test(m.input));
      expect(by?.[2]).toBeDefined();
      expect(by![2]).not.toBe(az);
      expect(next.hops.join('\n')).not.toMatch(new RegExp(`${hsmId} in ${az} \\(`));
      // The HSM in the lost AZ shows as a skipped (failed) hop.
      expect(next.hops.join('\n')).toContain(`${hsmId} in ${az} unavailable: ${az} is down`);
    }
    const other = by2(az!);
    await card().locator(`[data-testid="hsm"][data-az="${other}"][data-served="true"]`).waitFor();
  });

  it('fails as AWS documents when no HSM is available, and recovers', async () => {
    const lost = (await card().locator('[data-testid="az-lane"][data-down="true"]').getAttribute('data-az'))!;
    const other = by2(lost);
    await lane(other).getByTestId('hsm-stop').click();
    await lane(other).getByTestId('hsm-start').waitFor();
    const failed = await encrypt();
    expect(failed.ok).toBe(false);
    expect(failed.error).toContain('KMSInvalidStateException');
    expect(failed.error).toContain('has no available HSM');
    expect(failed.hops.join('\n')).toMatch(/unavailable: stopped/);
    expect(failed.hops.join('\n')).toMatch(new RegExp(`unavailable: ${lost} is down`));
    await shot('faults');

    await lane(other).getByTestId('hsm-start').click();
    await lane(other).getByTestId('hsm-stop').waitFor();
    await lane(lost).getByTestId('az-restore').click();
    await lane(lost).getByTestId('az-lose').waitFor();
    expect((await encrypt()).ok).toBe(true);
  });

  it('drops the connection: the key becomes Unavailable and Encrypt fails', async () => {
    await card().getByTestId('fault-disconnect').click();
    await card().locator('[data-testid="keystore-state"][data-state="DISCONNECTED"]').waitFor();
    const key = card().locator(`[data-testid="world-key"][data-key-id="${keyId}"]`);
    await key.locator('[data-testid="key-state"][data-state="Unavailable"]').waitFor();
    const r = await encrypt();
    expect(r.ok).toBe(false);
    expect(r.error).toContain('KMSInvalidStateException');
    expect(r.error).toContain('is unavailable.');

    // Connecting again (and letting the clock run) brings the key back.
    await card().getByTestId('keystore-connect').click();
    await card().getByTestId('keystore-advance').click();
    await card().locator('[data-testid="keystore-state"][data-state="CONNECTED"]').waitFor();
    await key.locator('[data-testid="key-state"][data-state="Enabled"]').waitFor();
    await shot('region-card');
    expect(h.errors).toEqual([]);
  });
});

/** With CLOUDHSM_SHOTS=<folder>, a screenshot of the Region card once the packets landed. */
async function shot(name: string) {
  const folder = process.env.CLOUDHSM_SHOTS;
  if (!folder) return;
  await page.waitForFunction(() => !document.querySelector('[data-testid="call-packet"]'));
  await card().screenshot({ path: `${folder}/${name}.png` });
  await page.setViewportSize({ width: 2400, height: 1000 });
  await card().screenshot({ path: `${folder}/${name}-wide.png` });
  await page.setViewportSize({ width: 1440, height: 1000 });
}

/** The other of the two AZ lanes. */
function by2(az: string): string {
  return az === 'us-east-1a' ? 'us-east-1b' : 'us-east-1a';
}
