/** Every benchmark, in the order the runner executes them. */
import type { Benchmark } from '../harness/types.js';
import { cluster } from './cluster.js';
import { coldStart } from './cold-start.js';
import { httpCall } from './http-call.js';
import { idleMemory } from './idle-memory.js';
import { inProcess } from './in-process.js';
import { largeBinary } from './large-binary.js';
import { routedLatency } from './routed-latency.js';
import { routedThroughput } from './routed-throughput.js';

export const benchmarks: Benchmark[] = [routedLatency, routedThroughput, idleMemory, largeBinary, inProcess, httpCall, cluster, coldStart];
