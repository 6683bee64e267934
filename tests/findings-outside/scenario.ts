/** `scenario(id, title, fn)`: an `it` for a scenario that works today, an `it.fails` for one in KNOWN_GAPS. */
import { it } from 'vitest';
import { KNOWN_GAPS } from './known-gaps.js';

export function scenario(id: string, title: string, fn: () => void | Promise<void>, timeoutMs?: number): void {
  const gap = KNOWN_GAPS[id];
  if (gap) it.fails(`${id}: ${title} [known gap: ${gap}]`, fn, timeoutMs);
  else it(`${id}: ${title}`, fn, timeoutMs);
}
