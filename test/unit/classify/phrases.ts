// Hand-written es/it/en help-desk phrases for the classifier tests: three categories, every
// language represented, so a model must generalise across inflections and languages.
import type { TrainingDoc } from '../../../src/classify/index.js';

export const TRAIN: TrainingDoc[] = [
  { label: 'access', language: 'es', text: 'He olvidado mi contraseña' },
  { label: 'access', language: 'es', text: 'No puedo iniciar sesión, la contraseña caducó' },
  { label: 'access', language: 'es', text: 'Mi cuenta está bloqueada' },
  { label: 'access', language: 'it', text: 'Ho dimenticato la password' },
  { label: 'access', language: 'it', text: 'Il mio account è bloccato' },
  { label: 'access', language: 'it', text: 'Non riesco ad accedere, password scaduta' },
  { label: 'access', language: 'en', text: 'I forgot my password' },
  { label: 'access', language: 'en', text: 'My account is locked out' },
  { label: 'access', language: 'en', text: 'Cannot log in, password expired' },
  { label: 'hardware', language: 'es', text: 'La impresora no imprime' },
  { label: 'hardware', language: 'es', text: 'El portátil no enciende' },
  { label: 'hardware', language: 'es', text: 'La pantalla del monitor parpadea' },
  { label: 'hardware', language: 'it', text: 'La stampante non stampa' },
  { label: 'hardware', language: 'it', text: 'Il portatile non si accende' },
  { label: 'hardware', language: 'it', text: 'Lo schermo del monitor sfarfalla' },
  { label: 'hardware', language: 'en', text: 'The printer does not print' },
  { label: 'hardware', language: 'en', text: 'My laptop will not turn on' },
  { label: 'hardware', language: 'en', text: 'The monitor screen flickers' },
  { label: 'network', language: 'es', text: 'El wifi de la oficina no funciona' },
  { label: 'network', language: 'es', text: 'No hay conexión a internet' },
  { label: 'network', language: 'es', text: 'La VPN se desconecta' },
  { label: 'network', language: 'it', text: 'Il wifi in ufficio non funziona' },
  { label: 'network', language: 'it', text: 'Nessuna connessione a internet' },
  { label: 'network', language: 'it', text: 'La VPN si disconnette' },
  { label: 'network', language: 'en', text: 'Office wifi is down' },
  { label: 'network', language: 'en', text: 'No internet connection' },
  { label: 'network', language: 'en', text: 'The VPN keeps disconnecting' },
];

/** Unseen phrasings: inflections, missing accents, other word order. */
export const HELD_OUT: [string, 'es' | 'it' | 'en', string][] = [
  ['olvidé la contrasena de mi cuenta', 'es', 'access'],
  ['las impresoras no imprimen', 'es', 'hardware'],
  ['sin conexion wifi desde esta mañana', 'es', 'network'],
  ['password dimenticata, account bloccato', 'it', 'access'],
  ['le stampanti non stampano', 'it', 'hardware'],
  ['la connessione wifi non funziona', 'it', 'network'],
  ['password expired and account locked', 'en', 'access'],
  ['printers not printing', 'en', 'hardware'],
  ['wifi connection dropped', 'en', 'network'],
];
