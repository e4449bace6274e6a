// A throw-away templates directory from `{ "en/auto-reply.text.liquid": "…" }`, for template tests.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function templateDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sportello-tpl-'));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}
