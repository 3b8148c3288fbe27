/**
 * Pages of local accounts: the login page (`/public/apps/hypha-login/?key=K`: log in, or sign up
 * and verify the e-mailed code) and the profile page (`/public/apps/hypha-login/profile`).
 * They call the `hypha-login` functions over HTTP. When the login page runs inside an iframe it
 * tells its parent with `postMessage({type: 'hypha-login-complete'})`; as a popup it closes itself.
 */
const STYLE = `body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}
input{display:block;width:100%;margin:.3rem 0 .8rem;padding:.4rem;box-sizing:border-box}
.hidden{display:none}#status{margin-top:1rem;min-height:1.5em}.error{color:#b00020}`;

const CALL = (base: string) => `
const BASE = ${JSON.stringify(base)};
async function call(fn, args) {
  const res = await fetch(BASE + '/public/services/hypha-login/' + fn, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(args),
  });
  const out = await res.json();
  if (!res.ok) throw new Error(out.detail || ('HTTP ' + res.status));
  return out;
}
function show(msg, isError) {
  const s = document.getElementById('status');
  s.textContent = msg;
  s.className = isError ? 'error' : '';
}`;

export function localLoginPageHtml(base: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hypha login</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body>
<h1>Log in to Hypha</h1>
<form id="login-form">
<label>E-mail<input id="login-email" type="email" autocomplete="username" required></label>
<label>Password<input id="login-password" type="password" autocomplete="current-password" required></label>
<button type="submit">Log in</button> <a href="#" id="to-signup">Create an account</a>
</form>
<form id="signup-form" class="hidden">
<label>Name<input id="signup-name" required></label>
<label>E-mail<input id="signup-email" type="email" required></label>
<label>Password (8 characters or more)<input id="signup-password" type="password" minlength="8" required></label>
<button type="submit">Sign up</button> <a href="#" id="to-login">I have an account</a>
</form>
<form id="verify-form" class="hidden">
<p>Enter the 6-digit code sent to <b id="verify-email"></b>.</p>
<label>Code<input id="verify-code" inputmode="numeric" pattern="[0-9]{6}" required></label>
<button type="submit">Verify</button>
</form>
<div id="status" role="status"></div>
<script>
${CALL(base)}
const params = new URLSearchParams(location.search);
const key = params.get('key');
const workspace = params.get('workspace') || undefined;
function reportLoginComplete(result) {
  document.cookie = 'hypha_local_token=' + encodeURIComponent(result.token) + '; path=/; SameSite=Lax';
  if (window.parent !== window) {
    window.parent.postMessage({ type: 'hypha-login-complete', key: key, user_id: result.user_id }, '*');
    show('Logged in as ' + result.email + '.');
  } else if (window.opener) {
    show('Logged in. You can close this window.');
    window.close();
  } else {
    show('Logged in as ' + result.email + '.');
  }
}
const toggle = (id) => ['login-form', 'signup-form', 'verify-form'].forEach((f) => document.getElementById(f).classList.toggle('hidden', f !== id));
document.getElementById('to-signup').onclick = (e) => { e.preventDefault(); toggle('signup-form'); };
document.getElementById('to-login').onclick = (e) => { e.preventDefault(); toggle('login-form'); };
document.getElementById('login-form').onsubmit = async (e) => {
  e.preventDefault();
  try {
    const r = await call('login', { email: document.getElementById('login-email').value, password: document.getElementById('login-password').value, workspace, key });
    if (!r.success) return show(r.error, true);
    reportLoginComplete(r);
  } catch (err) { show(String(err.message || err), true); }
};
let signupEmail = null;
document.getElementById('signup-form').onsubmit = async (e) => {
  e.preventDefault();
  try {
    const r = await call('signup', { name: document.getElementById('signup-name').value, email: document.getElementById('signup-email').value, password: document.getElementById('signup-password').value });
    if (!r.success) return show(r.error, true);
    signupEmail = r.email;
    document.getElementById('verify-email').textContent = r.email;
    if (r.dev_code) document.getElementById('verify-code').value = r.dev_code;
    toggle('verify-form');
    show(r.dev_code ? 'Development server: the code was filled in for you.' : 'Check your e-mail for the code.');
  } catch (err) { show(String(err.message || err), true); }
};
document.getElementById('verify-form').onsubmit = async (e) => {
  e.preventDefault();
  try {
    const r = await call('verify_email', { email: signupEmail, code: document.getElementById('verify-code').value });
    if (!r.success) return show(r.error, true);
    document.getElementById('login-email').value = signupEmail;
    toggle('login-form');
    show('E-mail verified. Log in with your password.');
  } catch (err) { show(String(err.message || err), true); }
};
</script>
</body></html>`;
}

export function localProfilePageHtml(base: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hypha profile</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body>
<h1>Your Hypha profile</h1>
<form id="profile-form">
<label>E-mail<input id="profile-email" type="email" required></label>
<label>New name<input id="profile-name"></label>
<label>Current password<input id="profile-current" type="password" required></label>
<label>New password (optional)<input id="profile-new" type="password" minlength="8"></label>
<button type="submit">Save</button>
</form>
<div id="status" role="status"></div>
<script>
${CALL(base)}
document.getElementById('profile-form').onsubmit = async (e) => {
  e.preventDefault();
  try {
    const r = await call('update_profile', {
      user_email: document.getElementById('profile-email').value,
      name: document.getElementById('profile-name').value || undefined,
      current_password: document.getElementById('profile-current').value,
      new_password: document.getElementById('profile-new').value || undefined,
    });
    show(r.success ? r.message : r.error, !r.success);
  } catch (err) { show(String(err.message || err), true); }
};
</script>
</body></html>`;
}
