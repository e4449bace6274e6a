// Hot reload: watches the rules directory and, after writes settle, reloads every rules file and
// reports either the new RuleSet or all problems. It never keeps or swaps rules itself: on invalid
// input the caller simply keeps the set it already has. Fixtures and unrelated files are ignored;
// corpus files and knowledge folders outside the rules directory are not watched. Lives in the shell
// (it touches the file system); the rules engine itself only loads and checks.
import path from 'node:path';
import { watchDir } from '../adapters/watch-dir.js';
import { loadRules, type RuleProblem, type RuleSet, type RulesContext } from '../rules/index.js';

export interface WatchHandlers {
  onValid(ruleSet: RuleSet): void;
  onInvalid(problems: readonly RuleProblem[]): void;
  /** Watcher or unexpected load failures; defaults to onInvalid with a single problem. */
  onError?(error: unknown): void;
}

export interface WatchOptions {
  /** Quiet time after the last change before reloading, in ms (editors write in bursts). */
  readonly debounceMs?: number;
  /** How long a file's size must stay unchanged before it counts as written, in ms. */
  readonly stabilityMs?: number;
  /** Read at each reload: the configuration and templates the new rules must agree with. */
  readonly context?: () => RulesContext | undefined;
}

export interface RulesWatcher {
  /** Resolves once the initial scan is done; changes before that may be missed. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

// Rules, corpus CSVs and knowledge articles (Markdown) are all read at load time.
const WATCHED = /\.(ya?ml|csv|md)$/i;

export function watchRules(dir: string, handlers: WatchHandlers, options: WatchOptions = {}): RulesWatcher {
  const root = path.resolve(dir);
  const fixtures = path.join(root, 'fixtures');
  let closed = false;
  const fail = (error: unknown) => {
    if (handlers.onError) handlers.onError(error);
    else handlers.onInvalid([{ file: path.basename(root), line: 1, column: 1, code: 'RULES_RELOAD', message: String(error) }]);
  };
  const watcher = watchDir(
    root,
    async () => {
      const result = await loadRules(root, options.context?.());
      if (closed) return;
      if (result.ruleSet) handlers.onValid(result.ruleSet);
      else handlers.onInvalid(result.problems);
    },
    {
      accept: (file) => WATCHED.test(file) && !file.startsWith(fixtures + path.sep),
      skipDir: (d) => d === fixtures || d.startsWith(fixtures + path.sep),
      debounceMs: options.debounceMs ?? 150,
      stabilityMs: options.stabilityMs ?? 100,
      onError: fail,
    },
  );
  return {
    ready: watcher.ready,
    async close() {
      closed = true;
      await watcher.close();
    },
  };
}
