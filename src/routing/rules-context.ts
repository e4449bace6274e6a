// What the rules must agree with beyond themselves: the configured desks and their agents, and the
// templates a rule may name. Built from the frozen config and a template listing; decides nothing
// itself (src/rules/check-config.ts does) and never reads files.
import path from 'node:path';
import type { Config } from '../config/schema.js';
import type { RulesContext } from '../rules/index.js';
import type { Language } from '../domain/routing.js';

/** `templateKeys` are "lang/name" keys (listTemplates, or a loaded renderer's names()); null skips template checks. */
export function rulesContext(config: Config, templateKeys: readonly string[] | null): RulesContext {
  return {
    desks: config.desks.map((d) => ({ id: d.id, agents: d.agents })),
    templates: templateKeys ? renderableNames(templateKeys, config.desks[0]?.language ?? 'en') : null,
    configFile: config.configPath ? path.basename(config.configPath) : 'the configuration',
    rulesDir: path.basename(config.rulesDir),
  };
}

/** Names a renderer can serve in every language: present in `fallback` or in en, its last resorts. */
export function renderableNames(keys: readonly string[], fallback: Language): Set<string> {
  return new Set(keys.filter((k) => k.startsWith(`${fallback}/`) || k.startsWith('en/')).map((k) => k.slice(k.indexOf('/') + 1)));
}
