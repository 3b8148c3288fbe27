/**
 * The login page served at `/public/apps/hypha-login/?key=K` for internal auth: the user pastes
 * a token (or uses the `access_token` cookie) and the page reports it for the waiting `check()`.
 */
export function loginPageHtml(baseUrl: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Hypha Account</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}textarea{width:100%;height:6rem}#status{margin-top:1rem}</style>
</head>
<body>
<h1 id="hypha-login">Log in to Hypha</h1>
<p>Paste an access token for this server (for example one made with <code>generate_token()</code>).</p>
<form id="form">
<textarea id="token" name="token" placeholder="access token" required></textarea>
<p><button type="submit">Log in</button></p>
</form>
<div id="status" role="status"></div>
<script>
const base = ${JSON.stringify(baseUrl)};
const params = new URLSearchParams(location.search);
const key = params.get('key');
const workspace = params.get('workspace');
const status = document.getElementById('status');
const cookie = document.cookie.split(';').map((c) => c.trim()).find((c) => c.startsWith('access_token='));
if (cookie) document.getElementById('token').value = decodeURIComponent(cookie.slice(13));
if (!key) status.textContent = 'This page needs a login key (?key=...); start a login from your client.';
document.getElementById('form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const body = { key, token: document.getElementById('token').value.trim() };
  if (workspace) body.workspace = workspace;
  const res = await fetch(base + '/public/services/hypha-login/report', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  const out = await res.json().catch(() => ({}));
  status.textContent = res.ok ? 'Logged in. You can close this window.' : 'Login failed: ' + (out.detail || res.status);
});
</script>
</body>
</html>`;
}
