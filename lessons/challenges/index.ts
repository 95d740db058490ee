/** Every challenge: hands-on goals and exam-style questions. */
import type { Challenge } from '../../src/learn/challenges.ts';
import { handsOn } from './handsOn.ts';
import { questions } from './questions.ts';

export const CHALLENGES: readonly Challenge[] = [...handsOn, ...questions];

export const challengeById = (id: string): Challenge | undefined => CHALLENGES.find((c) => c.id === id);
