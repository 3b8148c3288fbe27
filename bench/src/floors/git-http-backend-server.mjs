// Floor for the git bench: stock `git http-backend` (CGI) behind a minimal Node HTTP server.
// usage: node git-http-backend-server.mjs <project-root> <port>
// Every request runs one `git http-backend` process with the CGI variables it needs; pushes are
// allowed (REMOTE_USER is set). Prints "ready" once listening.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';

const [root, portArg] = process.argv.slice(2);
if (!root || !portArg) throw new Error('usage: git-http-backend-server.mjs <project-root> <port>');

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const env = {
    ...process.env,
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    REMOTE_USER: 'bench',
    REMOTE_ADDR: '127.0.0.1',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    REQUEST_METHOD: req.method ?? 'GET',
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
    GIT_PROTOCOL: req.headers['git-protocol'] ?? '',
  };
  const cgi = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  req.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let headersDone = false;
  cgi.stdout.on('data', (chunk) => {
    if (headersDone) {
      if (!res.write(chunk)) {
        cgi.stdout.pause();
        res.once('drain', () => cgi.stdout.resume());
      }
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    headersDone = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    const rest = head.subarray(end + 4);
    if (rest.length) res.write(rest);
  });
  cgi.stdout.on('end', () => res.end());
  cgi.on('error', (err) => {
    res.writeHead(500).end(String(err));
  });
});
server.listen(Number(portArg), '127.0.0.1', () => process.stdout.write('ready\n'));
