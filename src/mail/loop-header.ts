// The headers Sportello stamps on every mail it sends and trusts when one comes back: our loop header
// (its value is the instance name) and the case a mail belongs to. Names only: what goes on which kind
// of mail is decided in shell/outbound.ts, how a returning mail is recognised in pipeline/stages/loop-check.ts.

export const LOOP_HEADER = 'X-Sportello-Loop';

export const CASE_HEADER = 'X-Sportello-Case';
