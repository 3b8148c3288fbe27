/** Failures of the MCP adapter that the HTTP layer turns into statuses. */
export class McpAdapterError extends Error {
  constructor(
    readonly kind: 'not_compatible' | 'unknown_tool' | 'unknown_resource' | 'unknown_prompt' | 'invalid_registration',
    message: string,
  ) {
    super(message);
    this.name = 'McpAdapterError';
  }
}
