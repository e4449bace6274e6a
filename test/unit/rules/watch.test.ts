import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';

import { formatProblem, watchRules, type RuleProblem, type RuleSet, type RulesWatcher } from '../../../src/rules/index.js';

const valid = (threshold: number) => `desks:
  IT:
    threshold: ${threshold}
    categories:
      - { id: hardware, names: { es: a, it: b, en: c } }
`;

let root: string;
let dir: string;
let watcher: RulesWatcher | undefined;
/** Callbacks in arrival order; each test awaits the next one instead of sleeping. */
let events: { next(): Promise<{ kind: 'valid'; ruleSet: RuleSet } | { kind: 'invalid'; problems: readonly RuleProblem[] }> };

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'sportello-watch-'));
  dir = path.join(root, 'rules');
  await mkdir(path.join(dir, 'fixtures'), { recursive: true });
  await writeFile(path.join(dir, 'it.yml'), valid(0.5));
  type Event = Awaited<ReturnType<typeof events.next>>;
  const queue: Event[] = [];
  const waiting: ((e: Event) => void)[] = [];
  const push = (e: Event) => (waiting.length > 0 ? waiting.shift()!(e) : queue.push(e));
  events = { next: () => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((resolve) => waiting.push(resolve))) };
  watcher = watchRules(
    dir,
    { onValid: (ruleSet) => push({ kind: 'valid', ruleSet }), onInvalid: (problems) => push({ kind: 'invalid', problems }) },
    { debounceMs: 20, stabilityMs: 50 },
  );
  await watcher.ready;
});

afterEach(async () => {
  await watcher?.close();
  await rm(root, { recursive: true, force: true });
});

it('reports problems for an invalid edit, then the new rule set once fixed', async () => {
  await writeFile(path.join(dir, 'it.yml'), valid(0.5).replace('threshold', 'treshold'));
  const bad = await events.next();
  expect(bad.kind === 'invalid' && bad.problems.map(formatProblem)).toEqual([
    'rules/it.yml:3:5: unknown desk setting "treshold" (did you mean "threshold"?)',
  ]);

  await writeFile(path.join(dir, 'it.yml'), valid(0.8));
  const good = await events.next();
  expect(good.kind === 'valid' && good.ruleSet.desks['IT']!.threshold).toBe(0.8);
});

it('reacts to a new rules file', async () => {
  await writeFile(path.join(dir, 'hr.yml'), valid(0.4).replace('IT:', 'HR:'));
  const event = await events.next();
  expect(event.kind === 'valid' && Object.keys(event.ruleSet.desks).sort()).toEqual(['HR', 'IT']);
});

it('reloads when a knowledge article is added to the desk folder', async () => {
  await mkdir(path.join(dir, 'knowledge', 'it'), { recursive: true });
  await writeFile(path.join(dir, 'knowledge', 'it', 'vpn.md'), '---\nid: vpn\ndesk: IT\ntitle: { en: VPN }\nkeywords: { en: [vpn] }\n---\nRestart the VPN client.\n');
  const event = await events.next();
  expect(event.kind === 'valid' && event.ruleSet.desks['IT']!.articles.map((a) => a.id)).toEqual(['vpn']);
});
