// Decides what a problem report is about, independently of its language: the shared systems it names
// (Wi-Fi, VPN, printer…), where (floor, room), and whether it reports a failure rather than a request.
// Reads only the text (subject + new body); must never treat a personal device as shared infrastructure.

import type { Language } from '../domain/routing.js';
import { foldAccents } from '../classify/index.js';

/** A concept and the folded phrases (es/it/en) that name it; a phrase matches on word boundaries. */
interface Concept {
  readonly id: string;
  /** Generic concepts ("the network") are compatible with the specific ones they cover. */
  readonly covers?: readonly string[];
  readonly phrases: readonly string[];
}

// Shared systems: what several people can lose at once. Personal devices (my laptop, my password) are
// deliberately absent — three broken laptops in an hour are three cases, not an outage.
const SYSTEMS: readonly Concept[] = [
  { id: 'wifi', phrases: ['wifi', 'wi-fi', 'wi fi', 'wlan', 'wireless', 'inalambrica', 'inalambrico', 'senza fili', 'rete wireless', 'red inalambrica', 'eduroam', 'ssid'] },
  { id: 'ethernet', phrases: ['cable de red', 'cavo di rete', 'network cable', 'ethernet', 'punto de red', 'presa di rete', 'network port', 'lan'] },
  { id: 'network', covers: ['wifi', 'ethernet'], phrases: ['internet', 'red', 'rete', 'network', 'conexion', 'connessione', 'connection', 'connectivity', 'conectividad', 'connettivita', 'sin conexion', 'senza connessione', 'offline', 'no connection'] },
  { id: 'vpn', phrases: ['vpn', 'forticlient', 'globalprotect', 'anyconnect'] },
  { id: 'printer', phrases: ['impresora', 'impresoras', 'stampante', 'stampanti', 'printer', 'printers', 'imprimir', 'stampare', 'print', 'printing', 'imprime', 'stampa', 'toner', 'fotocopiadora', 'fotocopiatrice', 'photocopier', 'copier'] },
  { id: 'email', phrases: ['outlook', 'exchange', 'webmail', 'correo electronico', 'posta elettronica', 'servidor de correo', 'server di posta', 'mail server', 'email server', 'buzon', 'casella di posta', 'mailbox'] },
  { id: 'meetings', phrases: ['teams', 'zoom', 'webex', 'videollamada', 'videollamadas', 'videochiamata', 'videochiamate', 'video call', 'video calls'] },
  { id: 'intranet', phrases: ['intranet', 'sharepoint', 'portal del empleado', 'portale dipendenti', 'employee portal'] },
  { id: 'files', phrases: ['unidad compartida', 'carpeta compartida', 'cartella condivisa', 'disco condiviso', 'shared drive', 'shared folder', 'file server', 'servidor de archivos', 'onedrive'] },
  { id: 'erp', phrases: ['sap', 'erp', 'salesforce', 'crm', 'jira', 'navision'] },
  { id: 'phone', phrases: ['centralita', 'centralino', 'switchboard', 'telefonos fijos', 'telefoni fissi', 'desk phones', 'linea telefonica', 'linea fissa', 'phone line'] },
  { id: 'power', phrases: ['apagon', 'sin luz', 'corte de luz', 'corriente', 'blackout', 'senza corrente', 'corrente', 'power outage', 'power cut', 'no power', 'electricidad', 'elettricita'] },
  { id: 'climate', phrases: ['aire acondicionado', 'climatizacion', 'calefaccion', 'aria condizionata', 'condizionatore', 'riscaldamento', 'air conditioning', 'heating', 'aircon'] },
  { id: 'elevator', phrases: ['ascensor', 'ascensores', 'ascensore', 'elevator', 'lift'] },
  { id: 'badge', phrases: ['tornos', 'torno', 'tornello', 'tornelli', 'turnstile', 'turnstiles', 'lector de tarjetas', 'lettore badge', 'badge reader', 'control de acceso'] },
];

// A failure, not a request: "no funciona", "non va", "is down", "keeps dropping", "slow".
const FAILURE_PATTERNS: readonly RegExp[] = [
  /\bno (me |nos |se |le |les )?(funciona|funcionan|va|van|conecta|conectan|carga|cargan|imprime|imprimen|responde|anda|hay|tenemos|tengo|puedo|podemos|llega|llegan|abre|sincroniza)\b/,
  /\b(caid[oa]s?|cayo|se cae|se ha caido|se corta|se cortan|cortad[oa]|sin (red|internet|conexion|wifi|senal|servicio|luz)|intermitente|lentisim[oa]|muy lent[oa]|fuera de servicio|no hay manera|averiad[oa]|colgad[oa]|bloquead[oa])\b/,
  /\bnon (mi |ci |si |gli )?(funziona|funzionano|va|vanno|collega|collegano|carica|caricano|stampa|stampano|risponde|c e|ce|ho|abbiamo|riesco|riusciamo|arriva|arrivano|apre|sincronizza)\b/,
  /\b(cadut[oa]|cade|cadono|si interrompe|interrott[oa]|senza (rete|internet|connessione|wifi|segnale|servizio|corrente)|intermittente|lentissim[oa]|molto lent[oa]|fuori servizio|guast[oa]|bloccat[oa]|nessun[oa]? (rete|connessione|segnale))\b/,
  /\b(is|are|s|went|keeps going|has gone|seems) (down|offline|dead|broken|not working|out)\b/,
  /\b(isn t|is not|aren t|are not|doesn t|does not|don t|do not|won t|will not|can t|cannot|couldn t|could not) (work|working|connect|connecting|load|loading|print|printing|respond|responding|get|reach|access|sync|syncing|open|join)\b/,
  /\b(no (internet|network|wifi|connection|signal|service|power)|down|outage|drops?|dropping|keeps dropping|disconnect(s|ed|ing)?|unreachable|intermittent|very slow|extremely slow|really slow|crawling|not working|stopped working|down again|timing out|times out|time out)\b/,
];

// Floors: "piso 3", "planta 3", "3ª planta", "tercera planta", "piano 3", "terzo piano", "floor 3", "3rd floor".
const ORDINALS: Readonly<Record<string, string>> = {
  primer: '1', primera: '1', primero: '1', segunda: '2', segundo: '2', tercera: '3', tercer: '3', tercero: '3', cuarta: '4', cuarto: '4', quinta: '5', quinto: '5', sexta: '6', sexto: '6',
  primo: '1', secondo: '2', terzo: '3', quarto: '4', sesto: '6',
  first: '1', second: '2', third: '3', fourth: '4', fifth: '5', sixth: '6',
  ground: '0',
};
const FLOOR_WORD = '(?:piso|planta|piano|floor|level|nivel|livello)';
const NUMBERISH = '(\\d{1,2}|[a-z]+)';
const FLOOR_AFTER = new RegExp(`\\b${FLOOR_WORD}\\s+(?:n\\s*)?${NUMBERISH}\\b`, 'g');
const FLOOR_BEFORE = new RegExp(`\\b${NUMBERISH}(?:\\s*(?:st|nd|rd|th|a|o|º|ª))?\\s+${FLOOR_WORD}\\b`, 'g');
// Rooms: "sala 2B", "aula 14", "room 204", "stanza 12", "meeting room B".
const ROOM = /\b(?:sala|aula|room|stanza|despacho|ufficio|office)\s+(?:de reuniones\s+|riunioni\s+)?([a-z]?\d{1,4}[a-z]?|[a-z])\b/g;
// Buildings: "edificio B", "building 2", "palazzina C".
const BUILDING = /\b(?:edificio|building|palazzina|torre|tower)\s+([a-z]|\d{1,2})\b/g;

export interface Signature {
  readonly systems: ReadonlySet<string>;
  readonly floors: ReadonlySet<string>;
  readonly rooms: ReadonlySet<string>;
  readonly buildings: ReadonlySet<string>;
  /** The text reports something broken or degraded, not a request or a question. */
  readonly failure: boolean;
}

/** Lower-case, accents folded, apostrophes and punctuation as spaces: "l'ufficio" → "l ufficio". */
export function normalizeForEntities(text: string): string {
  return ` ${foldAccents(text.toLowerCase()).replace(/[^\p{L}\p{N}\-ºª]+/gu, ' ').replace(/\s+/g, ' ').trim()} `;
}

// One pattern per concept, its phrases as alternatives between word boundaries: a text is scanned once
// per concept instead of once per phrase (a phrase's "-" or space also matches the other, or nothing).
const SYSTEM_PATTERNS: readonly { readonly id: string; readonly re: RegExp }[] = SYSTEMS.map((c) => ({
  id: c.id,
  re: new RegExp(`(?:^|[^\\p{L}\\p{N}])(?:${c.phrases.map((p) => p.replace(/[-\s]/g, '[-\\s]?')).join('|')})(?=$|[^\\p{L}\\p{N}])`, 'u'),
}));

function floorValue(raw: string): string | null {
  if (/^\d{1,2}$/.test(raw)) return String(Number(raw));
  return ORDINALS[raw] ?? null;
}

/**
 * The language-independent signature of a report.
 * @example signature('No hay wifi en la tercera planta', 'es') // systems {wifi}, floors {3}, failure true
 */
export function signature(text: string, _language?: Language): Signature {
  const t = normalizeForEntities(text);
  const systems = new Set<string>();
  for (const c of SYSTEM_PATTERNS) if (c.re.test(t)) systems.add(c.id);
  const floors = new Set<string>();
  for (const m of t.matchAll(FLOOR_AFTER)) {
    const v = floorValue(m[1]!);
    if (v !== null) floors.add(v);
  }
  for (const m of t.matchAll(FLOOR_BEFORE)) {
    const v = floorValue(m[1]!);
    if (v !== null) floors.add(v);
  }
  if (/\b(planta baja|piano terra|ground floor|pianoterra)\b/.test(t)) floors.add('0');
  const rooms = new Set([...t.matchAll(ROOM)].map((m) => m[1]!));
  const buildings = new Set([...t.matchAll(BUILDING)].map((m) => m[1]!));
  const failure = FAILURE_PATTERNS.some((re) => re.test(t));
  return { systems, floors, rooms, buildings, failure };
}

/** The specific systems a generic one stands for, so "no internet" meets "the Wi-Fi is down". */
export function systemsMeet(a: ReadonlySet<string>, b: ReadonlySet<string>): 'same' | 'compatible' | 'conflict' | 'unknown' {
  if (a.size === 0 || b.size === 0) return 'unknown';
  for (const s of a) if (b.has(s)) return 'same';
  return covers(a, b) || covers(b, a) ? 'compatible' : 'conflict';
}

// Asked for every pair of reports grouping compares: the generic concepts' lists, looked up once.
const COVERS: ReadonlyMap<string, readonly string[]> = new Map(SYSTEMS.flatMap((c) => (c.covers ? [[c.id, c.covers] as const] : [])));

function covers(x: ReadonlySet<string>, y: ReadonlySet<string>): boolean {
  for (const s of x) for (const k of COVERS.get(s) ?? []) if (y.has(k)) return true;
  return false;
}
