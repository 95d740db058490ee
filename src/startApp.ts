import { mount } from 'svelte';
import App from './App.svelte';
import { Lab } from './ui/lab.svelte.ts';
import { savedLocale, text } from './ui/i18n/text.svelte.ts';
import './ui/theme.css';

/** Mounts the lab on `target`, talking to the already started KMS worker. */
export async function startApp(target: HTMLElement, worker: Worker): Promise<void> {
  const lab = new Lab(worker);
  // Before the first render, so the worker's answers are waiting when it ends.
  const started = lab.start();
  // The interface's language before its first render (English needs no loading).
  const locale = savedLocale();
  if (!locale.startsWith('en')) await text.use(locale).catch(() => undefined);
  mount(App, { target, props: { lab, started } });
}
