// `sportello once --dry-run`: what the next pass would do with the mail already in each desk mailbox —
// on first contact, how much `startFrom` takes (imported, without replies) and leaves untouched.
// Reads only: no case, no flag, no mail sent, and a database that does not exist is not created.

import type { FolderSurvey } from '../shell/first-contact.js';

export type SurveyRow = FolderSurvey | { readonly desk: string; readonly error: string };

export function dryRunText(rows: readonly SurveyRow[]): string {
  return rows
    .map((r) => {
      if ('error' in r) return `${r.desk}: FAILED — ${r.error}`;
      const where = `${r.desk} (${r.folder})`;
      const counts = `${r.live} live (answered as usual), ${r.imported} imported (case recorded, no mail sent), ${r.untouched} left untouched`;
      if (r.firstContact) return `${where}: first start with startFrom ${r.startFrom}: ${r.examined} mail(s) in the folder: ${counts}`;
      if (r.rescan) return `${where}: UIDVALIDITY changed, the folder would be read again: ${r.examined} mail(s): ${counts} (already recorded ones are skipped as duplicates)`;
      return `${where}: ${r.examined} mail(s) waiting above the checkpoint: ${counts}`;
    })
    .join('\n');
}
