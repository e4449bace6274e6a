// What the pipeline knows about a desk: one complete view, built once by the shell from the configuration
// and the desk's current rules (shell/desk-runtime.ts), every default already applied. Stages read it and
// never fill in a default themselves; it carries no mailbox credentials.

import type { Address } from './mail.js';
import type { Language } from './routing.js';
import type { LifecycleSettings, NotifyPolicy, TrustSettings } from './desk-settings.js';

export interface DeskView {
  readonly id: string;
  readonly prefix: string;
  readonly address: string;
  readonly language: Language;
  /** The sender name of the desk's mail: the configured name, or "<id> desk". */
  readonly name: string;
  /** The desk's agents with their names (for #assign maria, signing relays, notifications). */
  readonly agents: readonly Address[];
  readonly notify: NotifyPolicy;
  readonly lifecycle: LifecycleSettings;
  readonly trust: TrustSettings;
  /** Category ids the desk's rules declare (for #category); empty without rules. */
  readonly categories: readonly string[];
  /** Time zone of the desk's business calendar, for dates shown to agents. */
  readonly timezone: string;
}

/** The desk as template variables show it. */
export function deskRef(desk: Pick<DeskView, 'id' | 'name' | 'address'>): { id: string; name: string; address: string } {
  return { id: desk.id, name: desk.name, address: desk.address };
}
