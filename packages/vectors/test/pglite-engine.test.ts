import { vector } from '@electric-sql/pglite-pgvector';
import { createDatabase } from '@hypha/db';
import { PgVectorEngine } from '../src/index.js';
import { engineContract } from './engine-contract.js';

// In-memory PGlite with pgvector: the embedded default's engine.
engineContract('pgvector on PGlite', async () => {
  const database = await createDatabase({ pgliteExtensions: { vector } });
  return { engine: new PgVectorEngine(database.db), close: () => database.close() };
});
