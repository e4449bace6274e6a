// Ratings: the forms a requester answers with (number, stars, "Voto: 5", mailto subject), the sentences that
// are not ratings, quoted history ignored, and a scan of every real reply in the corpora for false positives.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRating, parseRatingReply, parseRatingSubject, ratingMailto } from '../../../src/agents/rating.js';
import { parseCommandBlock } from '../../../src/agents/commands.js';
import { CORPORA } from './helpers.js';
import { withoutCorpora } from '../../support/corpora.js';

const QUOTE_EN = '\n\nOn Mon, 3 Jun 2024 at 10:00, IT desk <it@example.test> wrote:\n> How did we do? Reply with a number from 1 to 5.';
const QUOTE_ES = '\n\nEl lun, 3 jun 2024 a las 10:00, Soporte <it@example.test> escribió:\n> ¿Qué tal lo hicimos?';

describe('parseRating', () => {
  it.each([
    ['5', 5, null],
    ['5 - great', 5, 'great'],
    ['5 – rapidísimo', 5, 'rapidísimo'],
    ['4/5', 4, null],
    ['4 / 5 quick fix', 4, 'quick fix'],
    ['3.', 3, null],
    ['2, still slow', 2, 'still slow'],
    ['1!', 1, null],
    ['4 stars', 4, null],
    ['5 estrellas, genial', 5, 'genial'],
    ['5 de 5', 5, null],
    ['4 su 5, grazie', 4, 'grazie'],
    ['⭐⭐⭐⭐', 4, null],
    ['⭐️⭐️⭐️ ok', 3, 'ok'],
    ['★★★★☆ almost perfect', 4, 'almost perfect'],
    ['Voto: 5', 5, null],
    ['voto 3 - lento', 3, 'lento'],
    ['Puntuación 4, gracias', 4, 'gracias'],
    ['Puntuacion: 2', 2, null],
    ['Valutazione: 5/5', 5, null],
    ['Rating: 1', 1, null],
    ['Thanks! My rating: 4', 4, 'Thanks! My rating: 4'],
    ['5\nAlso, the printer on floor 2 is broken again.', 5, 'Also, the printer on floor 2 is broken again.'],
    [`5${QUOTE_EN}`, 5, null],
    [`4 - gracias${QUOTE_ES}`, 4, 'gracias'],
    [`\n\n  5  \n\n--\nAna Ruiz\nFinance${QUOTE_EN}`, 5, null],
  ])('%j → %d', (text, score, comment) => {
    expect(parseRating(text)).toEqual({ score, comment });
  });

  it.each([
    'I have 5 more questions',
    '2 printers are still broken',
    '5 great',
    '10',
    '0',
    '6',
    '4.5',
    '1.5 hours to fix it',
    '3:30 works for me',
    '1/2 of the screens flicker',
    '4/50 tickets',
    '5G router still offline',
    'Thanks!',
    'It works now, thank you',
    '',
    '> 5',
    `${QUOTE_EN.trim()}`,
    'Nota 5',
  ])('%j is not a rating', (text) => {
    expect(parseRating(text)).toBeNull();
  });
});

describe('parseRatingSubject and parseRatingReply', () => {
  it.each([
    ['[IT-12] Rating 5', 5],
    ['Re: [IT-12] Valoración 4', 4],
    ['R: [IT-12] Valutazione 3', 3],
    ['[IT-12] valoracion 2', 2],
    ['[IT-12] Rating 6', null],
    ['Re: [IT-12] Rating 5 stars in the app store is broken', null],
    ['Rating 5 for the new app', null],
    ['[IT-12] Printer broken', null],
  ])('%j → %s', (subject, score) => {
    expect(parseRatingSubject(subject)).toBe(score);
  });

  it('a mailto subject decides the score; the body is only a comment without our prompt', () => {
    expect(parseRatingReply({ subject: '[IT-12] Valoración 4', text: 'Comentario (opcional): muy rápido\n' })).toEqual({ score: 4, comment: 'muy rápido', via: 'subject' });
    expect(parseRatingReply({ subject: '[IT-12] Rating 2', text: '5 - ignored\n' })).toEqual({ score: 2, comment: '5 - ignored', via: 'subject' });
    expect(parseRatingReply({ subject: '[IT-12] Rating 5', text: 'Comment (optional):\r\n' })).toEqual({ score: 5, comment: null, via: 'subject' });
  });

  it('falls back to the body, and to null for a normal follow-up', () => {
    expect(parseRatingReply({ subject: 'Re: [IT-12] Printer · How did we do?', text: `3 - ok${QUOTE_EN}` })).toEqual({ score: 3, comment: 'ok', via: 'body' });
    expect(parseRatingReply({ subject: 'Re: [IT-12] Printer', text: `It broke again${QUOTE_EN}` })).toBeNull();
  });
});

describe('ratingMailto', () => {
  it.each([
    ['en', 'mailto:it@example.test?subject=%5BIT-12%5D%20Rating%205&body=Comment%20(optional)%3A%0D%0A'],
    ['es', 'mailto:it@example.test?subject=%5BIT-12%5D%20Valoraci%C3%B3n%205&body=Comentario%20(opcional)%3A%0D%0A'],
    ['it', 'mailto:it@example.test?subject=%5BIT-12%5D%20Valutazione%205&body=Commento%20(facoltativo)%3A%0D%0A'],
  ] as const)('%s', (language, url) => {
    expect(ratingMailto('it@example.test', 'IT-12', 5, language)).toBe(url);
  });

  it.each(['en', 'es', 'it'] as const)('its subject and body parse back (%s)', (language) => {
    for (const score of [1, 2, 3, 4, 5] as const) {
      const url = new URL(ratingMailto('it@example.test', 'IT-12', score, language));
      const subject = decodeURIComponent(/subject=([^&]*)/.exec(url.search)![1]!);
      const body = decodeURIComponent(/body=([^&]*)/.exec(url.search)![1]!);
      expect(parseRatingReply({ subject, text: body })).toEqual({ score, comment: null, via: 'subject' });
    }
  });
});

const REPLY_CORPORA = ['reply-discourse-trimmer', 'reply-crisp-email-reply-parser', 'reply-github-email-reply-parser', 'reply-parser-ports-extra', 'reply-talon'];
const NO_CORPORA = withoutCorpora(import.meta.url, REPLY_CORPORA);

describe.skipIf(NO_CORPORA)('real replies from the corpora', () => {
  const dirs = ['reply-discourse-trimmer/emails', ...REPLY_CORPORA.slice(1)];
  const bodies = (NO_CORPORA ? [] : dirs).flatMap((d) =>
    (readdirSync(path.join(CORPORA, d), { recursive: true }) as string[])
      .filter((f) => /\.(txt|eml)$/.test(f))
      .map((f) => {
        const raw = readFileSync(path.join(CORPORA, d, f), 'utf8');
        return [`${d}/${f}`, f.endsWith('.eml') ? raw.split(/\r?\n\r?\n/).slice(1).join('\n\n') : raw] as const;
      }),
  );

  it('has enough fixtures to mean something', () => {
    expect(bodies.length).toBeGreaterThan(200);
  });

  it('no real reply reads as a rating or as a command block', () => {
    const ratings = bodies.filter(([, text]) => parseRating(text) !== null).map(([f]) => f);
    const commands = bodies.filter(([, text]) => parseCommandBlock(text, { categories: [], agents: [] }).block.length > 0).map(([f]) => f);
    expect(ratings).toEqual([]);
    expect(commands).toEqual([]);
  });
});
