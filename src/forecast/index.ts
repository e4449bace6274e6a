// Public face of the forecast core: resolution dates learned from a desk's own history, the promise a
// case carries, the update before a promise is missed, agents' #eta and the daily digest. Pure throughout.
export { ForecastSpec, DEFAULT_FORECAST } from './settings.js';
export type { ForecastSettings } from './settings.js';
export { comparableCases, resolutionMinutes } from './history.js';
export type { HistoryCase, ForecastScope } from './history.js';
export { forecastResolution, loadAhead } from './forecast.js';
export type { Forecast, ForecastInput } from './forecast.js';
export { firstPromise, nextPromise, explainForecast, explainPromise } from './promise.js';
export type { CasePromise, PromiseSource } from './promise.js';
export { preBreach } from './pre-breach.js';
export type { PreBreachDecision, PreBreachInput } from './pre-breach.js';
export { etaInstant } from './eta.js';
export type { Eta } from './eta.js';
export { forecastDigest } from './digest.js';
export type { DigestRow } from './digest.js';
