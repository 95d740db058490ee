import { mount } from 'svelte';
import App from './App.svelte';
import { Lab } from './ui/lab.svelte.ts';
import './ui/theme.css';

/** Mounts the lab on `target`, talking to the already started KMS worker. */
export function startApp(target: HTMLElement, worker: Worker): void {
  const lab = new Lab(worker);
  // Before the first render, so the worker's answers are waiting when it ends.
  const started = lab.start();
  mount(App, { target, props: { lab, started } });
}
