import { describe, expect, it } from 'vitest';

import type { Language } from '../../../src/domain/routing.js';
import { compileCondition, matchInput } from '../../../src/rules/match.js';
import { Condition, type ConditionSpec } from '../../../src/rules/schema.js';
import { mail, type MailSpec } from './helpers.js';

const holds = (when: ConditionSpec, spec: MailSpec, language: Language = 'en') =>
  compileCondition(Condition.parse(when))(matchInput(mail(spec), language));

const exe = { filename: 'Factura.PDF.exe', contentType: 'application/x-msdownload', size: 120_000 };
const pdf = { filename: 'nómina.pdf', contentType: 'application/pdf', size: 40_000 };

describe('conditions', () => {
  it.each<[string, ConditionSpec, MailSpec, boolean]>([
    ['contains', { subject: { contains: 'printer' } }, { subject: 'The Printer is broken' }, true],
    ['contains, no match', { subject: { contains: 'printer' } }, { subject: 'laptop' }, false],
    ['contains any of a list', { body: { contains: ['vpn', 'wifi'] } }, { text: 'the WiFi is down' }, true],
    ['contains is accent-insensitive one way', { body: { contains: 'contraseña' } }, { text: 'olvide la contrasena' }, true],
    ['…and the other way', { body: { contains: 'contrasena' } }, { text: 'Olvidé la CONTRASEÑA' }, true],
    ['contains ignores line wrapping', { body: { contains: 'no funciona' } }, { text: 'la vpn no\n  funciona' }, true],
    ['contains folds typographic apostrophes', { body: { contains: "can't" } }, { text: 'I can’t log in' }, true],
    ['equals is whole-value', { subject: { equals: 'help' } }, { subject: ' HELP ' }, true],
    ['equals is not contains', { subject: { equals: 'help' } }, { subject: 'help me' }, false],
    ['in', { subject: { in: ['ayuda', 'aiuto', 'help'] } }, { subject: 'Aiuto' }, true],
    ['startsWith', { subject: { startsWith: ['re:', 'fwd:'] } }, { subject: 'RE: printer' }, true],
    ['startsWith, no match', { subject: { startsWith: 're:' } }, { subject: 'printer re:' }, false],
    ['endsWith', { subject: { endsWith: '!!' } }, { subject: 'now!!' }, true],
    ['regex, case-insensitive', { subject: { regex: '^urgent[ei]?\\b' } }, { subject: 'URGENTE: vpn' }, true],
    ['regex runs on accent-stripped text', { subject: { regex: 'nómina|nomina' } }, { subject: 'Nómina de marzo' }, true],
    ['regex, no match', { subject: { regex: '^urgent\\b' } }, { subject: 'not urgent' }, false],
    ['several operators must hold on the same value', { subject: { startsWith: 'vpn', endsWith: 'down' } }, { subject: 'VPN is down' }, true],
    ['several operators, one fails', { subject: { startsWith: 'vpn', endsWith: 'up' } }, { subject: 'VPN is down' }, false],
    ['exists: true on a present header', { headers: { 'List-Id': { exists: true } } }, { headers: { 'list-id': ['<x.example.test>'] } }, true],
    ['exists: false on an absent header', { headers: { 'List-Id': { exists: false } } }, {}, true],
    ['exists: true on an absent header', { headers: { 'List-Id': { exists: true } } }, {}, false],
    ['header name is case-insensitive, any value may match', { headers: { 'X-PRIORITY': { regex: '^[12]' } } }, { headers: { 'x-priority': ['3', '1 (Highest)'] } }, true],
    ['header absent never matches a value test', { headers: { Importance: { equals: 'high' } } }, {}, false],
    ['from: address equals', { from: { equals: 'ana@example.test' } }, { from: 'Ana <ANA@example.test>' }, true],
    ['from: display name contains', { from: { contains: 'josé' } }, { from: 'Jose Pérez <jp@example.test>' }, true],
    ['from: domain matches the domain', { from: { domain: 'example.test' } }, { from: 'a@example.test' }, true],
    ['from: domain matches subdomains', { from: { domain: '@example.test' } }, { from: 'a@mail.example.test' }, true],
    ['from: domain is not a suffix match', { from: { domain: 'example.test' } }, { from: 'a@badexample.test' }, false],
    ['from: no sender', { from: { contains: 'a' } }, { from: null }, false],
    ['to: any recipient', { to: { equals: 'hr@example.test' } }, { to: ['it@example.test', 'hr@example.test'] }, true],
    ['cc: any recipient', { cc: { domain: 'vendor.test' } }, { cc: ['x@vendor.test'] }, true],
    ['cc: empty', { cc: { domain: 'vendor.test' } }, { cc: [] }, false],
    ['attachment name', { attachment: { name: { endsWith: '.exe' } } }, { attachments: [pdf, exe] }, true],
    ['attachment name, none', { attachment: { name: { endsWith: '.exe' } } }, { attachments: [pdf] }, false],
    ['attachment name with accents', { attachment: { name: { startsWith: 'nomina' } } }, { attachments: [pdf] }, true],
    ['attachment type', { attachment: { type: { startsWith: 'application/pdf' } } }, { attachments: [pdf] }, true],
    ['attachment size gt', { attachment: { size: { gt: 100_000 } } }, { attachments: [pdf, exe] }, true],
    ['attachment tests hold on the same attachment', { attachment: { name: { endsWith: '.pdf' }, size: { gt: 100_000 } } }, { attachments: [pdf, exe] }, false],
    ['attachment without a name', { attachment: { name: { exists: false } } }, { attachments: [{ filename: null, contentType: 'image/png', size: 1 }] }, true],
    ['message size lt', { size: { lt: 2000 } }, { size: 1999 }, true],
    ['message size lt, boundary', { size: { lt: 2000 } }, { size: 2000 }, false],
    ['message size gte/lte', { size: { gte: 2000, lte: 2000 } }, { size: 2000 }, true],
    ['empty condition always holds', {}, {}, true],
    ['fields in one condition all must hold', { subject: { contains: 'vpn' }, body: { contains: 'home' } }, { subject: 'vpn', text: 'office' }, false],
    ['any: one is enough', { any: [{ subject: { contains: 'x' } }, { body: { contains: 'vpn' } }] }, { text: 'vpn' }, true],
    ['any: none', { any: [{ subject: { contains: 'x' } }, { body: { contains: 'y' } }] }, { text: 'vpn' }, false],
    ['all: every one', { all: [{ subject: { contains: 'vpn' } }, { body: { contains: 'home' } }] }, { subject: 'vpn', text: 'from home' }, true],
    ['all: one fails', { all: [{ subject: { contains: 'vpn' } }, { body: { contains: 'home' } }] }, { subject: 'vpn', text: 'office' }, false],
    ['not', { not: { from: { domain: 'example.test' } } }, { from: 'x@outside.test' }, true],
    ['not, negated', { not: { from: { domain: 'example.test' } } }, { from: 'x@example.test' }, false],
    ['nested any inside not inside all', { all: [{ subject: { contains: 'vpn' } }, { not: { any: [{ body: { contains: 'test' } }] } }] }, { subject: 'vpn', text: 'real' }, true],
  ])('%s', (_name, when, spec, expected) => {
    expect(holds(when, spec)).toBe(expected);
  });

  it.each<[ConditionSpec, Language, boolean]>([
    [{ language: 'es' }, 'es', true],
    [{ language: 'es' }, 'it', false],
    [{ language: ['es', 'it'] }, 'it', true],
    [{ language: ['es', 'it'] }, 'en', false],
  ])('language %j on %s mail → %s', (when, language, expected) => {
    expect(holds(when, {}, language)).toBe(expected);
  });
});
