export { PythonEvalWorker } from './python-eval-worker.js';
export type { PythonEvalWorkerOptions } from './python-eval-worker.js';
