export { BrowserWorker, defaultChromiumPath } from './browser-worker.js';
export type { BrowserWorkerOptions } from './browser-worker.js';
export { compileBrowserApp, renderAppPage, BROWSER_TYPES, WEB_PYTHON_REFUSAL } from './browser-compile.js';
