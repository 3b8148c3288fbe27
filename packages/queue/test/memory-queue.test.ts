import { MemoryQueueBackend } from '../src/index.js';
import { queueContract } from './queue-contract.js';

queueContract('memory', async () => new MemoryQueueBackend());
