/** A keep-alive HTTP GET client that returns the parsed JSON body. */
import { Agent, request } from 'node:http';

export interface JsonGetter {
  get(path: string): Promise<{ status: number; body: unknown }>;
  close(): void;
}

export function jsonGetter(baseUrl: string, maxSockets = 64): JsonGetter {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const base = new URL(baseUrl);
  return {
    get(path) {
      return new Promise((resolve, reject) => {
        const req = request({ host: base.hostname, port: base.port, path, method: 'GET', agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            const json = (res.headers['content-type'] ?? '').includes('json');
            resolve({ status, body: json ? (JSON.parse(text) as unknown) : text });
          });
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      });
    },
    close() {
      agent.destroy();
    },
  };
}
