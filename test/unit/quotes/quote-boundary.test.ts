// findQuoteBoundary: which line starts unquoted history, for the header forms of es/it/en clients and the
// plain sentences that must not be taken for one.
import { describe, expect, it } from 'vitest';
import { findQuoteBoundary } from '../../../src/quotes/quote-boundary.js';

const at = (text: string) => findQuoteBoundary(text.split('\n'));

describe('findQuoteBoundary', () => {
  it.each([
    ['On … wrote:', 'Hi\n\nOn Tue, Sep 25, 2012 at 8:59 AM, Chris <c@example.com> wrote:\nold', 1, 'reply-header'],
    ['El … escribió:', 'Hola\n\nEl jueves, 21 de noviembre de 2013, codinghorror escribió:\nviejo', 1, 'reply-header'],
    ['Il … ha scritto: over two lines', 'Ciao\n\nIl giovedì, 8 dicembre 2016, Ditta <d@example.it>\nha scritto:\nvecchio', 1, 'reply-header'],
    ['In data … ha scritto:', 'Ciao\nIn data 11 ottobre 2017 21:11:31 "J" <j@example.it> ha scritto:\nx', 1, 'reply-header'],
    ['Gmail date-first', 'Before\n\n2016-03-03 17:21 GMT+01:00 Some One\n\nAfter', 1, 'reply-header'],
    ['Russian date without start word', 'Yes.\n\n20 окт. 2016 г. 19:37 пользователь "R" <\nm@example.com> написал:\n\n> x', 1, 'reply-header'],
    ['bold Outlook block', 'Hi\n\n*From:* Ann\n*Sent:* 2016-01-27\n*To:* x', 1, 'header-block'],
    ['De:/Enviado:', 'Hola\nDe: Ana\nEnviado: lunes\nPara: Soporte', 1, 'header-block'],
    ['Da:/Inviato:', 'Ciao\nDa: Anna\nInviato: lunedì\nA: Assistenza', 1, 'header-block'],
    ['Mensaje original', 'Hola\n\n-----Mensaje original-----\nDe: Ana', 1, 'separator'],
    ['Messaggio originale', 'Ciao\n-----Messaggio originale-----', 1, 'separator'],
    ['Original Message with stars', 'Bar\n\n*-------- Original Message --------*\n\nTHE END.', 1, 'separator'],
    ['forward', 'FYI\n\n---------- Forwarded message ---------\nFrom: a', 1, 'forward'],
  ])('%s', (_label, text, start, kind) => {
    expect(at(text)).toMatchObject({ start, kind });
  });

  it.each([
    ['a sentence starting with On', 'On the other hand, we should be careful.\nOn average, this parser works well.'],
    ['a wrote: without date or address', 'Here is what he wrote:\n\nnothing much'],
    ['a lone From: line', 'From: the warehouse, two boxes arrived.\n\nThanks'],
    ['a quoted header (left to the reply parser)', 'Hi\n> On Mon, Jun 3, 2024 Ann <a@example.com> wrote:\n> x'],
    ['timestamps in text', '2024-01-15 14:30:25\n15.01.2024 14:30\nJan 15, 2024 at 14:30'],
  ])('finds none in %s', (_label, text) => {
    expect(at(text)).toBeNull();
  });
});
