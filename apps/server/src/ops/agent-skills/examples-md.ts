/** EXAMPLES.md: code for the common tasks, in Python, JavaScript and HTTP. */

export function examplesMd(base: string, workspace: string): string {
  return `# Hypha Code Examples

Working code for the server at ${base}. Python needs \`pip install hypha-rpc\` (import \`hypha_rpc\`),
JavaScript \`npm install hypha-rpc\`. Every example connects anonymously unless it passes a token.

## Connection & Auth

Anonymous connection (a temporary workspace of your own):

\`\`\`python
import asyncio
from hypha_rpc import connect_to_server

async def main():
    async with connect_to_server({"server_url": "${base}"}) as server:
        print(server.config.workspace, server.config.client_id)

asyncio.run(main())
\`\`\`

\`\`\`javascript
import { connectToServer } from "hypha-rpc";

const server = await connectToServer({ server_url: "${base}" });
console.log(server.config.workspace);
await server.disconnect();
\`\`\`

With a token, and minting a narrower one for another program:

\`\`\`python
from hypha_rpc import connect_to_server

async def with_token(token):
    async with connect_to_server({"server_url": "${base}", "token": token}) as server:
        read_only = await server.generate_token({"permission": "read", "expires_in": 600})
        return read_only
\`\`\`

Interactive login for a person (prints a URL to open):

\`\`\`python
from hypha_rpc import login, connect_to_server

async def interactive():
    token = await login({"server_url": "${base}"})
    async with connect_to_server({"server_url": "${base}", "token": token}) as server:
        print(await server.check_status())
\`\`\`

## Services

Register a service; other clients call it by id:

\`\`\`python
from hypha_rpc import connect_to_server

async def provide():
    server = await connect_to_server({"server_url": "${base}"})
    await server.register_service({
        "id": "calculator",
        "config": {"visibility": "public"},
        "add": lambda a, b: a + b,
    })
    await server.serve()  # keep running
\`\`\`

\`\`\`javascript
import { connectToServer } from "hypha-rpc";

const server = await connectToServer({ server_url: "${base}" });
const info = await server.registerService({
  id: "calculator",
  config: { visibility: "public" },
  add: (a, b) => a + b,
});
const calc = await server.getService(info.id);
console.log(await calc.add(1, 2));
await server.disconnect();
\`\`\`

Describe the parameters so that agents and HTTP callers see them (schema functions):

\`\`\`python
from pydantic import Field
from hypha_rpc.utils.schema import schema_function

@schema_function
def greet(name: str = Field(..., description="Who to greet")) -> str:
    """Greet someone."""
    return f"Hello, {name}!"
\`\`\`

Find and call services:

\`\`\`python
from hypha_rpc import connect_to_server

async def discover():
    async with connect_to_server({"server_url": "${base}"}) as server:
        for svc in await server.list_services("${workspace}"):
            print(svc["id"], svc.get("description"))
        try:
            svc = await server.get_service("${workspace}/no-such-service")
        except Exception as err:  # KeyError-like: service not found
            print("not found:", err)
\`\`\`

Over HTTP, with the query string or a JSON body as keyword arguments:

\`\`\`bash
curl "${base}/health/liveness"
curl "${base}/${workspace}/services"
curl "${base}/${workspace}/services/~/check_status"
curl -X POST -H "Content-Type: application/json" -d '{"a": 1, "b": 2}' "${base}/<workspace>/services/calculator/add"
\`\`\`

## Artifacts & Files

The \`artifact-manager\` service stores collections, datasets and files:

\`\`\`python
import httpx
from hypha_rpc import connect_to_server

async def store_file(token):
    async with connect_to_server({"server_url": "${base}", "token": token}) as server:
        am = await server.get_service("public/artifact-manager")
        dataset = await am.create(type="dataset", alias="my-data", manifest={"name": "My data"}, stage=True)
        put_url = await am.put_file(dataset.id, file_path="hello.txt")
        async with httpx.AsyncClient() as http:
            await http.put(put_url, content=b"hello")
        await am.commit(dataset.id)
        get_url = await am.get_file(dataset.id, file_path="hello.txt")
        print(await am.list(parent_id=None))
        return get_url
\`\`\`

Vector collections support similarity search:

\`\`\`python
async def vectors(am, collection_id, query_vector):
    return await am.search_vectors(collection_id, query_vector=query_vector, limit=5)
\`\`\`

## Server Apps

The \`server-apps\` controller installs apps from source and starts them. An ASGI app (for example FastAPI)
is served under \`/{workspace}/apps/{service_id}/\`; a \`functions\` service serves plain functions as HTTP endpoints.

\`\`\`python
from hypha_rpc import connect_to_server

ASGI_APP = '''
<config lang="json">{"name": "hello-web", "type": "web-python", "version": "0.1.0"}</config>
<script lang="python">
from fastapi import FastAPI
from hypha_rpc import api

app = FastAPI()

@app.get("/")
def root():
    return {"hello": "world"}

async def serve(args):
    await app(args["scope"], args["receive"], args["send"])

api.export({"id": "hello-web", "type": "asgi", "serve": serve, "config": {"visibility": "public"}})
</script>
'''

async def deploy(token):
    async with connect_to_server({"server_url": "${base}", "token": token}) as server:
        controller = await server.get_service("public/server-apps")
        app = await controller.install(source=ASGI_APP, overwrite=True)
        session = await controller.start(app["id"], wait_for_service="hello-web")
        print(session["id"])
        await controller.stop(session["id"])
\`\`\`

Serverless functions need no framework:

\`\`\`javascript
import { connectToServer } from "hypha-rpc";

const server = await connectToServer({ server_url: "${base}" });
await server.registerService({
  id: "hello-functions",
  type: "functions",
  config: { visibility: "public" },
  index: async (event) => ({ status: 200, headers: { "Content-Type": "text/plain" }, body: "hello" }),
});
// GET ${base}/<your workspace>/apps/hello-functions/
\`\`\`

## MCP and A2A

When the server enables them, any service with schema functions is reachable by MCP clients at
\`/{workspace}/mcp/{service_id}/mcp\`, and A2A agents (\`type: "a2a"\`) at \`/{workspace}/a2a/{service_id}\`.

\`\`\`json
{"mcpServers": {"my-service": {"url": "${base}/<workspace>/mcp/<service_id>/mcp"}}}
\`\`\`

## Error handling

\`\`\`python
import asyncio
from hypha_rpc import connect_to_server

async def careful():
    async with connect_to_server({"server_url": "${base}", "method_timeout": 30}) as server:
        try:
            svc = await server.get_service("${workspace}/calculator")
            print(await svc.add(1, 2))
        except asyncio.TimeoutError:
            print("the provider did not answer in time")
        except Exception as err:
            print("failed:", err)
\`\`\`
`;
}
