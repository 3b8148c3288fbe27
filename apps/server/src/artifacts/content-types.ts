/** Content types of artifact files by extension (zip members, view sites). */
const CONTENT_TYPES: Record<string, string> = {
  '.txt': 'text/plain', '.html': 'text/html', '.htm': 'text/html', '.json': 'application/json', '.xml': 'application/xml',
  '.csv': 'text/csv', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.gif': 'image/gif',
  '.pdf': 'application/pdf', '.js': 'application/javascript', '.mjs': 'application/javascript', '.css': 'text/css',
  '.md': 'text/markdown', '.svg': 'image/svg+xml', '.webp': 'image/webp', '.ico': 'image/vnd.microsoft.icon',
  '.wasm': 'application/wasm', '.woff': 'font/woff', '.woff2': 'font/woff2', '.map': 'application/json',
};

/** The content type of `name` by its extension, or `fallback`. */
export function contentTypeOf(name: string, fallback = 'application/octet-stream'): string {
  const dot = name.lastIndexOf('.');
  return (dot > name.lastIndexOf('/') && CONTENT_TYPES[name.slice(dot).toLowerCase()]) || fallback;
}
