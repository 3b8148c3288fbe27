/** GUIDE/<doc>.md: short guides written for this server, served by agent skills. */

export function guides(base: string): Record<string, string> {
  return {
    'asgi-apps.md': `# Serving ASGI apps

An ASGI app (FastAPI, Starlette, Django with ASGI, ...) can be served through Hypha without opening a port:
register a service of \`type: "asgi"\` whose \`serve({scope, receive, send})\` function passes the request to the app.
The server forwards every HTTP request under \`${base}/<workspace>/apps/<service_id>/\` to it.

\`\`\`python
from fastapi import FastAPI
from hypha_rpc import connect_to_server

app = FastAPI()

@app.get("/")
def home():
    return {"message": "served through Hypha"}

async def serve(args):
    await app(args["scope"], args["receive"], args["send"])

async def main():
    server = await connect_to_server({"server_url": "${base}"})
    await server.register_service({"id": "my-fastapi", "type": "asgi", "serve": serve, "config": {"visibility": "public"}})
    await server.serve()
\`\`\`

Open \`${base}/<your workspace>/apps/my-fastapi/\`. Request bodies and responses stream in both directions.
For small endpoints without a framework, use serverless functions instead (see GUIDE/serverless-functions.md).
`,
    'serverless-functions.md': `# Serverless functions

A service of \`type: "functions"\` serves plain functions as HTTP endpoints: \`${base}/<workspace>/apps/<service_id>/<name>\`
calls the function \`<name>\` (nested names use \`/\`), \`index\` answers the bare path and \`default\` any path without a function.
Each function receives the request (\`method\`, \`path\`, \`query_string\`, \`headers\`, \`body\`, and \`user\`, the caller) and
returns \`{status, headers, body}\`.

\`\`\`javascript
import { connectToServer } from "hypha-rpc";

const server = await connectToServer({ server_url: "${base}" });
await server.registerService({
  id: "my-functions",
  type: "functions",
  config: { visibility: "public" },
  index: async (request) => ({ status: 200, headers: { "Content-Type": "text/plain" }, body: "index" }),
  hello: async (request) => ({ status: 200, body: { hello: request.user?.id ?? "anonymous" } }),
});
\`\`\`
`,
  };
}
