/**
 * The `__schema__` / `__doc__` of every workspace-manager method (rpc-protocol TV-2: `_rdoc` and
 * `_rschema` on the wire). Parameter names, order, required-ness and defaults follow the
 * reference's method signatures; the injected `context` is never listed. hypha-rpc reads these:
 * its suites check each method's `__schema__.name`, and `connectToServer({webrtc})` copies
 * `getService.__schema__`.
 */

/** One JSON Schema property of a manager method. */
interface ParamSpec {
  name: string;
  description: string;
  /** JSON Schema type(s); omitted for "any value". */
  type?: string | string[];
  required?: boolean;
  default?: unknown;
}

interface MethodSpec {
  description: string;
  params: ParamSpec[];
}

/** The schema shape hypha-rpc expects on a function (`schemaFunction`'s). */
export interface ManagerMethodSchema {
  name: string;
  description: string;
  parameters: { type: 'object'; properties: Record<string, Record<string, unknown>>; required?: string[] };
}

const TIME_RANGE: ParamSpec[] = [
  { name: 'event_type', type: ['string', 'null'], description: 'Only events of this type (all types when omitted).', default: null },
  { name: 'start_time', type: ['string', 'number', 'null'], description: 'Earliest event time to include.', default: null },
  { name: 'end_time', type: ['string', 'number', 'null'], description: 'Latest event time to include.', default: null },
];

const SPECS: Record<string, MethodSpec> = {
  echo: {
    description: 'Return the given value unchanged (a round-trip check).',
    params: [{ name: 'data', required: true, description: 'Any value; it is sent back as is.' }],
  },
  log: {
    description: "Write a message to the server's log on behalf of the caller.",
    params: [{ name: 'msg', type: 'string', required: true, description: 'The message to log.' }],
  },
  log_event: {
    description: "Record an event in the current workspace's event log (needs read-write permission).",
    params: [
      { name: 'event_type', type: 'string', required: true, description: 'Type name of the event.' },
      { name: 'data', type: ['object', 'null'], description: 'Extra data stored with the event.', default: null },
    ],
  },
  get_event_stats: {
    description: "Count the current workspace's logged events per type, optionally within a time range.",
    params: TIME_RANGE,
  },
  get_events: {
    description: "List the current workspace's logged events, optionally filtered by type and time range.",
    params: TIME_RANGE,
  },
  register_service: {
    description: 'Register a service of the calling client in its workspace.',
    params: [
      { name: 'service', type: 'object', required: true, description: 'The service info (id, name, type, config, service_schema, ...).' },
      {
        name: 'config',
        type: ['object', 'null'],
        description: 'Registration options, e.g. skip_app_id_validation (boolean, default false).',
        default: null,
      },
    ],
  },
  unregister_service: {
    description: 'Remove a service registered by the calling client.',
    params: [{ name: 'service_id', type: 'string', required: true, description: 'Id of the service to remove.' }],
  },
  list_workspaces: {
    description: 'List the workspaces the caller can see, page by page.',
    params: [
      { name: 'match', type: ['object', 'null'], description: 'Field values a workspace must have to be listed.', default: null },
      { name: 'offset', type: 'integer', description: 'Number of workspaces to skip.', default: 0 },
      { name: 'limit', type: 'integer', description: 'Largest number of workspaces to return.', default: 256 },
    ],
  },
  list_services: {
    description: 'List the services matching a query that the caller may see.',
    params: [
      {
        name: 'query',
        type: ['object', 'string', 'null'],
        description:
          "Filter as a map (visibility, workspace, client_id, service_id, type) or a pattern string such as 'workspace/client_id:service_id' or 'workspace/service_id'.",
        default: null,
      },
      {
        name: 'include_unlisted',
        type: 'boolean',
        description: "Also return unlisted services (only those of the caller's own workspace).",
        default: false,
      },
      {
        name: 'include_app_services',
        type: 'boolean',
        description: 'Also return services declared by installed applications that are not running.',
        default: false,
      },
      {
        name: 'prioritize_running_services',
        type: 'boolean',
        description: 'With include_app_services, prefer a running service over an app-declared one with the same id.',
        default: false,
      },
    ],
  },
  search_services: {
    description: 'Search services by text or embedding vector, by filters, or both.',
    params: [
      { name: 'query', description: 'A text query or an embedding vector.', default: null },
      { name: 'filters', type: ['object', 'null'], description: 'Field filters combined with the query.', default: null },
      { name: 'limit', type: ['integer', 'null'], description: 'Largest number of results.', default: 5 },
      { name: 'offset', type: ['integer', 'null'], description: 'Number of results to skip.', default: 0 },
      { name: 'return_fields', type: ['array', 'null'], description: 'Fields to include in each result.', default: null },
      { name: 'order_by', type: ['string', 'null'], description: 'Field to sort by (score when a query is given).', default: null },
      { name: 'pagination', type: ['boolean', 'null'], description: 'Return the results with the total count.', default: false },
      {
        name: 'include_unlisted',
        type: 'boolean',
        description: "Also search unlisted services of the caller's workspace.",
        default: false,
      },
    ],
  },
  list_clients: {
    description: 'List the clients connected to a workspace.',
    params: [{ name: 'workspace', type: ['string', 'null'], description: "Workspace id (the caller's when omitted).", default: null }],
  },
  register_service_type: {
    description: 'Register a service type (an interface description) in the current workspace.',
    params: [{ name: 'type_info', type: 'object', required: true, description: 'The type: id, name, definition and optional docs.' }],
  },
  get_service_type: {
    description: 'Get a registered service type.',
    params: [
      { name: 'type_id', type: 'string', required: true, description: "Type id, bare or as 'workspace/type_id'." },
    ],
  },
  list_service_types: {
    description: 'List the service types registered in a workspace.',
    params: [{ name: 'workspace', type: ['string', 'null'], description: "Workspace id (the caller's when omitted).", default: null }],
  },
  get_service_info: {
    description: 'Get the registration info of a service.',
    params: [
      {
        name: 'service_id',
        type: 'string',
        required: true,
        description: "Service id, bare or as 'workspace/client_id:service_id'; '~' names the workspace manager.",
      },
      {
        name: 'config',
        type: ['object', 'null'],
        description:
          "Options: mode picks one of several matches ('random', 'first', 'last', 'exact', 'min_load', 'native:random' or 'select:<criteria>:<function>'); select_timeout bounds the calls a select mode makes.",
        default: null,
      },
    ],
  },
  get_service: {
    description: 'Get a service by id, ready to call.',
    params: [
      {
        name: 'service_id',
        type: 'string',
        required: true,
        description:
          "Service id as 'workspace/service_id', 'workspace/client_id:service_id' or 'workspace/client_id:service_id@app_id'; '~' names the workspace manager.",
      },
      {
        name: 'config',
        type: ['object', 'null'],
        description: 'Options: mode, timeout and case_conversion (camel, snake or camel+snake).',
        default: null,
      },
    ],
  },
  generate_token: {
    description: 'Create a token granting access to a workspace (needs admin permission on it).',
    params: [
      {
        name: 'config',
        type: ['object', 'null'],
        description: 'Token options: workspace, permission, expires_in, client_id and extra_scopes; defaults apply when omitted.',
        default: null,
      },
    ],
  },
  revoke_token: {
    description: 'Revoke a token so that it is no longer accepted.',
    params: [{ name: 'token', type: 'string', required: true, description: 'The token to revoke.' }],
  },
  parse_token: {
    description: 'Decode a token and return the user info it carries.',
    params: [{ name: 'token', type: 'string', required: true, description: 'The token to decode.' }],
  },
  create_workspace: {
    description: 'Create a workspace owned by the caller.',
    params: [
      {
        name: 'config',
        type: 'object',
        required: true,
        description: "Workspace info; needs 'id', may set name, description, persistent, owners and config.",
      },
      { name: 'overwrite', type: 'boolean', description: 'Replace a workspace that already has this id.', default: false },
    ],
  },
  delete_workspace: {
    description: 'Delete a workspace (needs admin permission on it).',
    params: [{ name: 'workspace', type: 'string', required: true, description: 'Id of the workspace to delete.' }],
  },
  bookmark: {
    description: "Add a workspace or service to the caller's bookmarks.",
    params: [{ name: 'item', type: 'object', required: true, description: 'The bookmark: bookmark_type and id.' }],
  },
  unbookmark: {
    description: "Remove a workspace or service from the caller's bookmarks.",
    params: [{ name: 'item', type: 'object', required: true, description: 'The bookmark to remove: bookmark_type and id.' }],
  },
  get_workspace_info: {
    description: 'Get the info of a workspace.',
    params: [{ name: 'workspace', type: ['string', 'null'], description: "Workspace id (the caller's when omitted).", default: null }],
  },
  get_summary: {
    description: 'Summarise the current workspace: its clients and services.',
    params: [],
  },
  ping: {
    description: 'Check that a client of the current workspace answers.',
    params: [
      { name: 'client_id', type: 'string', required: true, description: 'Id of the client to ping.' },
      { name: 'timeout', type: 'number', description: 'Seconds to wait for the answer.', default: 5 },
    ],
  },
  cleanup: {
    description: 'Remove the clients of a workspace that no longer answer a ping.',
    params: [
      { name: 'workspace', type: ['string', 'null'], description: "Workspace id (the caller's when omitted).", default: null },
      { name: 'timeout', type: 'number', description: 'Seconds each client has to answer.', default: 5 },
    ],
  },
  check_status: {
    description: 'Report the status of the current workspace.',
    params: [],
  },
  set_env: {
    description: 'Set an environment variable of the current workspace.',
    params: [
      { name: 'key', type: 'string', required: true, description: 'Name of the variable.' },
      { name: 'value', type: 'string', required: true, description: 'Value to store.' },
    ],
  },
  get_env: {
    description: 'Read one or all environment variables of the current workspace.',
    params: [{ name: 'key', type: ['string', 'null'], description: 'Name of the variable (all variables when omitted).', default: null }],
  },
  subscribe: {
    description: 'Start receiving broadcast events of the given type(s).',
    params: [{ name: 'event_type', type: ['string', 'array'], required: true, description: 'One event type or a list of them.' }],
  },
  unsubscribe: {
    description: 'Stop receiving broadcast events of the given type(s).',
    params: [{ name: 'event_type', type: ['string', 'array'], required: true, description: 'One event type or a list of them.' }],
  },
};

/** The schema of manager method `name`; throws for a method that has none. */
export function managerMethodSchema(name: string): ManagerMethodSchema {
  const spec = SPECS[name];
  if (!spec) throw new Error(`No schema for workspace manager method: ${name}`);
  const properties: Record<string, Record<string, unknown>> = {};
  const required: string[] = [];
  for (const p of spec.params) {
    const prop: Record<string, unknown> = {};
    if (p.type !== undefined) prop.type = p.type;
    prop.description = p.description;
    if (p.default !== undefined) prop.default = p.default;
    properties[p.name] = prop;
    if (p.required) required.push(p.name);
  }
  const parameters: ManagerMethodSchema['parameters'] = { type: 'object', properties };
  if (required.length > 0) parameters.required = required;
  return { name, description: spec.description, parameters };
}

/** Parameter names of manager method `name` in call order, without `context`. */
export function managerMethodParams(name: string): string[] {
  const spec = SPECS[name];
  if (!spec) throw new Error(`No schema for workspace manager method: ${name}`);
  return spec.params.map((p) => p.name);
}
