import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';

import { formatProblem, type RuleProblem, type RuleSet } from '../../../src/rules/index.js';
import { watchRules, type RulesWatcher } from '../../../src/shell/rules-watch.js';

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

it('with a context, an edit that disagrees with the config is invalid (the daemon keeps its rules), then valid once fixed', async () => {
  const seen: { kind: 'valid' | 'invalid'; problems: string[] }[] = [];
  const waiting: (() => void)[] = [];
  const checked = watchRules(
    dir,
    {
      onValid: () => (seen.push({ kind: 'valid', problems: [] }), waiting.shift()?.()),
      onInvalid: (problems) => (seen.push({ kind: 'invalid', problems: problems.map(formatProblem) }), waiting.shift()?.()),
    },
    {
      debounceMs: 20,
      stabilityMs: 50,
      context: () => ({ desks: [{ id: 'IT', agents: [{ address: 'maria@example.test', name: 'Maria' }] }], templates: new Set(['auto-reply']), configFile: 'sportello.yml', rulesDir: 'rules' }),
    },
  );
  await checked.ready;
  const next = () => new Promise<void>((resolve) => waiting.push(resolve));
  try {
    const rule = (assignee: string) => `${valid(0.5)}    rules:\n      - name: r\n        when: {}\n        then: { assignee: ${assignee} }\n`;
    let arrived = next();
    await writeFile(path.join(dir, 'it.yml'), rule('mraia@example.test'));
    await arrived;
    expect(seen.at(-1)).toEqual({ kind: 'invalid', problems: ['rules/it.yml:9:27: rule "r" assigns to "mraia@example.test", who is not an agent of desk IT (did you mean "maria@example.test"?)'] });
    arrived = next();
    await writeFile(path.join(dir, 'it.yml'), rule('maria@example.test'));
    await arrived;
    expect(seen.at(-1)).toEqual({ kind: 'valid', problems: [] });
  } finally {
    await checked.close();
  }
});
