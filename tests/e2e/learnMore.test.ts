/**
 * End-to-end (headless Chromium), more of the learn panel: a hands-on challenge graded in the UI
 * (not before its goal is met, then solved and marked complete); exam mode (timer, answers, an
 * ordering left untouched scored as unanswered, score and explanations per item); the language picker
 * (lessons and panel text in German, kept across a reload, back to English); and a deleted workspace
 * that followed a lesson not coming back attached to it under the same name; an embed link showing
 * one scenario without the lab's chrome.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startHarness, type Harness } from './harness.ts';

let h: Harness;
let page: Page;

const metSteps = (p: Page) =>
  p
    .locator('[data-testid="lesson-step"][data-met="true"]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-step')));

/** The workspaces that follow a lesson, as stored in IndexedDB. */
const storedBindings = (p: Page) =>
  p.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('kms-lab-progress');
        open.onerror = () => reject(new Error('cannot open the progress database'));
        open.onsuccess = () => {
          const all = open.result.transaction('bindings').objectStore('bindings').getAllKeys();
          all.onsuccess = () => {
            open.result.close();
            resolve((all.result as string[]).sort());
          };
        };
      }),
  );

/** The lists, even while the open workspace follows a lesson. */
async function browse(p: Page, tab: 'tab-lessons' | 'tab-challenges') {
  if (await p.getByTestId('lesson-back').count()) await p.getByTestId('lesson-back').click();
  await p.getByTestId(tab).click();
}

async function ready(p: Page) {
  await p.locator('[data-testid="app"][data-ready="true"]').waitFor();
  await p.getByTestId('lesson-list').or(p.getByTestId('lesson-view')).first().waitFor();
}

describe('challenges, exam mode, language and workspaces in the learn panel', () => {
  beforeAll(async () => {
    h = await startHarness();
    page = h.page;
    await page.goto(h.base);
    await ready(page);
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it('grades a hands-on challenge: not before the goal is met, then solved and marked complete', async () => {
    await page.getByTestId('tab-challenges').click();
    expect(await page.getByTestId('challenges-done').textContent()).toBe('0');
    await page.locator('[data-testid="challenge-item"][data-id="recover-pending-deletion"]').click();
    await page.locator('[data-testid="lesson-view"][data-id="recover-pending-deletion"]').waitFor();
    await expect
      .poll(() => page.getByTestId('workspace-select').inputValue())
      .toBe('recover-pending-deletion');
    const row = page.getByTestId('key-row').filter({ hasText: 'alias/customers' });
    await row.getByTestId('key-cancel-deletion').waitFor();

    // Graded before doing anything: no goal met, no pass.
    await page.getByTestId('challenge-submit').click();
    const grade = page.getByTestId('challenge-grade');
    await grade.filter({ hasText: 'Score 0%' }).waitFor();
    expect(await grade.getAttribute('class')).not.toContain('full');
    expect(await grade.locator('li.ok').count()).toBe(0);
    expect(await metSteps(page)).toEqual([]);

    // The key console: cancel the deletion, enable the key, then encrypt with it.
    await row.getByTestId('key-cancel-deletion').click();
    await row.getByTestId('key-enable').click();
    await row.getByTestId('key-disable').waitFor();
    await expect.poll(() => metSteps(page)).toEqual(['goal-1']);
    const option = await page
      .locator('[data-testid="encrypt-key"] option', { hasText: 'alias/customers' })
      .getAttribute('value');
    await page.getByTestId('encrypt-key').selectOption(option!);
    await page.getByTestId('encrypt-plaintext').fill('back in service');
    await page.getByTestId('encrypt-submit').click();
    await expect.poll(() => metSteps(page)).toEqual(['goal-1', 'goal-2']);

    await page.getByTestId('challenge-submit').click();
    await grade.filter({ hasText: 'Solved' }).waitFor();
    expect(await grade.getAttribute('class')).toContain('full');
    expect(await grade.locator('li.ok').count()).toBe(2);
    await expect.poll(() => page.getByTestId('challenges-done').textContent()).toBe('1');

    await browse(page, 'tab-challenges');
    const item = page.locator('[data-testid="challenge-item"][data-id="recover-pending-deletion"]');
    expect(await item.locator('.mk').textContent()).toBe('✓');
    expect(await item.locator('.mk').getAttribute('class')).toContain('done');
  });

  it('runs an exam: timer, an untouched ordering scored as unanswered, score and explanations', async () => {
    await page.getByTestId('exam-open').click();
    const dialog = page.getByTestId('exam-dialog');
    await dialog.locator('select').selectOption('30');
    await page.getByTestId('exam-start').click();
    const clock = page.getByTestId('exam-clock');
    // 30 items × 2.6 minutes, counting down.
    expect(await clock.textContent()).toMatch(/^(78:00|77:5\d)$/);
    const first = await clock.textContent();
    await expect.poll(() => clock.textContent(), { timeout: 3000 }).not.toBe(first);

    const question = dialog.getByTestId('question');
    const answered = dialog.getByTestId('exam-answered');
    const picked: { choice?: string; untouched?: string; kept?: string; moved?: string } = {};
    let given = 0;
    for (let i = 0; i < 30; i++) {
      await expect.poll(() => answered.textContent()).toContain(`${given} of 30 answered`);
      const id = (await question.getAttribute('data-id'))!;
      const kind = await question.getAttribute('data-kind');
      if (kind === 'multiple-response' && !picked.choice) {
        expect(await question.getAttribute('data-answered')).toBe('false');
        await question.getByTestId('option').first().check();
        picked.choice = id;
        given++;
      } else if (kind === 'ordering' && !picked.untouched) {
        // Shown, never touched: it stays unanswered.
        expect(await question.getAttribute('data-answered')).toBe('false');
        await question.getByTestId('order-unanswered').waitFor();
        picked.untouched = id;
      } else if (kind === 'ordering' && !picked.kept) {
        await question.getByTestId('order-keep').click();
        await question.getByTestId('order-unanswered').waitFor({ state: 'detached' });
        picked.kept = id;
        given++;
      } else if (kind === 'ordering' && !picked.moved) {
        await question.getByRole('button', { name: 'Move down' }).first().click();
        picked.moved = id;
        given++;
      }
      await expect.poll(() => answered.textContent()).toContain(`${given} of 30 answered`);
      if (i < 29) await page.getByTestId('exam-next').click();
    }
    // 30 of the 39 questions: a multiple-response one and an ordering are always among them (more
    // orderings almost always: answered with "Keep this order" and by moving an item).
    expect(picked.choice && picked.untouched, JSON.stringify(picked)).toBeTruthy();
    const answeredIds = [picked.choice!, picked.kept, picked.moved].filter((x): x is string => !!x);
    expect(given).toBe(answeredIds.length);

    await page.getByTestId('exam-finish').click();
    const result = page.getByTestId('exam-result');
    await result.waitFor();
    expect(await page.getByTestId('exam-score').textContent()).toMatch(/^\s*\d{1,2}% · Not passed/);
    expect(await result.getAttribute('data-passed')).toBe('false');
    const items = result.getByTestId('exam-item');
    expect(await items.count()).toBe(30);
    expect(await result.locator('[data-testid="exam-item"][data-answered="true"]').count()).toBe(given);
    const item = (id: string) => result.locator(`[data-testid="exam-item"][data-id="${id}"]`);
    for (const id of answeredIds) expect(await item(id).getAttribute('data-answered')).toBe('true');
    const untouched = item(picked.untouched!);
    expect(await untouched.getAttribute('data-answered')).toBe('false');
    expect(await untouched.locator('summary').textContent()).toContain('(not answered)');
    await untouched.locator('summary').click();
    const explanation = untouched.getByTestId('exam-explanation');
    expect(await explanation.textContent()).toMatch(/^Not answered\. \S/);
    // An answered item explains the concept (not "not answered").
    await item(picked.choice!).locator('summary').click();
    const why = (await item(picked.choice!).getByTestId('exam-explanation').textContent())!;
    expect(why.length).toBeGreaterThan(20);
    expect(why).not.toContain('Not answered');
    await dialog.getByRole('button', { name: 'Close' }).last().click();
    await dialog.waitFor({ state: 'hidden' });

    // Progress counts the answered items as attempted, not the untouched ordering.
    const mark = (id: string) =>
      page.locator(`[data-testid="question-item"][data-id="${id}"] .mk`).textContent();
    expect(await mark(picked.untouched!)).toBe('○');
    for (const id of answeredIds) expect(['◐', '✓']).toContain(await mark(id));

    // One question on its own: an untouched ordering cannot be checked until answered.
    await page.locator(`[data-testid="question-item"][data-id="${picked.untouched!}"]`).click();
    const single = page.getByTestId('question-dialog');
    await single.waitFor();
    expect(await single.getByTestId('question').getAttribute('data-answered')).toBe('false');
    expect(await page.getByTestId('question-check').isDisabled()).toBe(true);
    await single.getByTestId('order-keep').click();
    expect(await single.getByTestId('question').getAttribute('data-answered')).toBe('true');
    await page.getByTestId('question-check').click();
    await single.getByTestId('question-grade').waitFor();
    await single.getByRole('button', { name: 'Done' }).click();
    await single.waitFor({ state: 'hidden' });
    expect(['◐', '✓']).toContain(await mark(picked.untouched!));
  }, 60_000);

  it('switches lessons and panel text to German, keeps it across a reload, and back', async () => {
    const picker = page.getByTestId('locale-select');
    const title = page.locator('[data-testid="lesson-item"][data-id="envelope-encryption"] .t');
    await browse(page, 'tab-lessons');
    expect(await title.textContent()).toBe('Symmetric keys and envelope encryption');
    expect(await page.getByTestId('tab-lessons').textContent()).toBe('Lessons');

    await picker.selectOption('de');
    await expect.poll(() => title.textContent()).toBe('Symmetrische Schlüssel und Envelope-Verschlüsselung');
    expect(await page.getByTestId('tab-lessons').textContent()).toBe('Lektionen');
    expect(await page.getByTestId('tab-challenges').textContent()).toBe('Aufgaben');
    expect(await page.getByTestId('progress-export').textContent()).toBe('Fortschritt exportieren');
    expect(await page.locator('[data-testid="learn-panel"] h2').textContent()).toBe('Lernen');

    await page.reload();
    await ready(page);
    expect(await picker.inputValue()).toBe('de');
    await browse(page, 'tab-lessons');
    await expect.poll(() => title.textContent()).toBe('Symmetrische Schlüssel und Envelope-Verschlüsselung');
    expect(await page.getByTestId('tab-lessons').textContent()).toBe('Lektionen');

    // The lesson itself: German step text and panel text.
    await title.click();
    await page.locator('[data-testid="lesson-view"][data-id="envelope-encryption"]').waitFor();
    const step = page.locator('[data-testid="lesson-step"][data-step="create-key"]');
    expect(await step.textContent()).toContain('Erstellen Sie einen symmetrischen Verschlüsselungsschlüssel');
    expect(await page.getByTestId('lesson-count').textContent()).toBe('Schritt 1 von 3');
    expect(await page.getByTestId('show-solution').textContent()).toBe('Lösung zeigen');

    await picker.selectOption('en');
    await expect.poll(() => page.getByTestId('lesson-count').textContent()).toBe('Step 1 of 3');
    expect(await step.textContent()).toContain('Create a symmetric encryption key');
    expect(await page.locator('[data-testid="lesson-view"] h3').textContent()).toBe(
      'Symmetric keys and envelope encryption',
    );
    await page.reload();
    await ready(page);
    expect(await picker.inputValue()).toBe('en');
    expect(await page.getByTestId('show-solution').textContent()).toBe('Show solution');
  }, 40_000);

  it('forgets the lesson of a deleted workspace: a new one of the same name starts unbound', async () => {
    await browse(page, 'tab-lessons');
    await page.locator('[data-testid="lesson-item"][data-id="grants"]').click();
    await page.locator('[data-testid="lesson-view"][data-id="grants"]').waitFor();
    await expect.poll(() => page.getByTestId('workspace-select').inputValue()).toBe('grants');
    await expect.poll(() => storedBindings(page)).toContain('grants');

    await page.getByTestId('delete-workspace').click();
    await page.getByTestId('delete-workspace-confirm').click();
    await expect.poll(() => page.getByTestId('workspace-select').inputValue()).toBe('default');
    await expect
      .poll(() => page.locator('[data-testid="workspace-select"] option').allTextContents())
      .not.toContain('grants');
    await expect.poll(() => storedBindings(page)).not.toContain('grants');
    // The other bindings stay.
    expect(await storedBindings(page)).toContain('envelope-encryption');

    await page.getByTestId('workspace-select').selectOption('+new');
    await page.getByTestId('new-workspace-name').fill('grants');
    await page.getByTestId('new-workspace-create').click();
    await expect.poll(() => page.getByTestId('workspace-select').inputValue()).toBe('grants');
    await page.getByTestId('lesson-list').waitFor();
    await page.waitForTimeout(300);
    expect(await page.getByTestId('lesson-view').count()).toBe(0);
    expect(await storedBindings(page)).not.toContain('grants');

    await page.reload();
    await ready(page);
    expect(await page.getByTestId('workspace-select').inputValue()).toBe('grants');
    await page.getByTestId('lesson-list').waitFor();
    expect(await page.getByTestId('lesson-view').count()).toBe(0);
  }, 40_000);

  it('embeds a lesson scenario without the lab chrome: previewed, loaded on request, nothing run', async () => {
    await browse(page, 'tab-lessons');
    await page.locator('[data-testid="lesson-item"][data-id="encryption-context"]').click();
    await page.locator('[data-testid="lesson-view"][data-id="encryption-context"]').waitFor();
    await page.getByTestId('share-button').click();
    await page.locator('[data-testid="share-dialog"] input[value="embed"]').check();
    await expect.poll(() => page.getByTestId('share-url').inputValue()).toMatch(/#embed=[A-Za-z0-9_-]+$/);
    const url = await page.getByTestId('share-url').inputValue();
    await page.keyboard.press('Escape');

    const context = await h.browser.newContext({ viewport: { width: 900, height: 800 } });
    const p2 = await context.newPage();
    const errors: string[] = [];
    p2.on('pageerror', (e) => errors.push(e.message));
    try {
      await p2.goto(url);
      await p2.locator('[data-testid="app"][data-embed="true"][data-ready="true"]').waitFor();
      // No lab chrome: no top bar, no workspace or principal pickers, no key console.
      expect(await p2.locator('header.topbar').count()).toBe(0);
      expect(await p2.getByTestId('workspace-select').count()).toBe(0);
      expect(await p2.getByTestId('create-submit').count()).toBe(0);
      await p2.getByTestId('share-summary').waitFor();
      expect(await p2.locator('[data-testid="world-key"]').count()).toBe(0);
      await p2.getByTestId('share-open').click();
      await p2.locator('[data-testid="lesson-view"][data-id="encryption-context"]').waitFor();
      await p2.getByTestId('world-view').waitFor();
      await expect.poll(() => p2.url()).toMatch(/#embed$/);
      // Nothing ran: no step of the lesson is met.
      expect(await metSteps(p2)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 40_000);

  it('raised no console errors', () => {
    expect(h.errors).toEqual([]);
  });
});
