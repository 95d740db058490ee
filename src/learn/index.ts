/**
 * Lessons and challenges (issue 10), pure TypeScript: types, checks over a read-only world view, the
 * solution environment and runner, step progress, the challenge grader and exam mode, and per-locale text.
 * Content lives in `lessons/` (lessons/index.ts, lessons/challenges/index.ts, locales/).
 */
export * from './types.ts';
export * from './checks.ts';
export * from './runtime.ts';
export * from './world.ts';
export * from './challenges.ts';
export * from './text.ts';
