// A real OpenID Connect provider (npm oidc-provider) on loopback for Basalt's OAuth2 tests.
//
//   node scripts/oidc/oidc.mjs PORT
//
// Issuer http://127.0.0.1:PORT; one confidential client, `basalt` / `basalt-secret`
// (client_secret_basic), whose redirect URIs are http://127.0.0.1/api/oauth2-redirect and
// http://127.0.0.1/callback on any port (a native client's loopback rule).
//
// Sign-in is non-interactive: the interaction page logs in the account named by the
// authorization request's `login_hint` (default `alice`) and grants what the client asked for.
// Accounts are made up from their name: sub `sub-<name>`, email `<name>@example.test`
// (`email_verified` false for names starting with `unverified`), name, preferred_username,
// and picture http://127.0.0.1:PORT/avatar/<name>.png (a real PNG, served here).
//
// `GET /test/login?url=<authorization URL>` drives a whole browser sign-in (cookies
// included) and answers `{"location": "<redirect_uri>?code=...&state=..."}` without
// following the last redirect, so tests need no cookie jar of their own.
import http from 'node:http';
import { Provider } from 'oidc-provider';

const port = Number(process.argv[2] || process.env.PORT || 0);
if (!port) {
  console.error('usage: node oidc.mjs PORT');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

// A 1x1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

function account(name) {
  return {
    accountId: name,
    async claims() {
      return {
        sub: `sub-${name}`,
        email: `${name}@example.test`,
        email_verified: !name.startsWith('unverified'),
        name: `User ${name}`,
        preferred_username: name,
        picture: `${issuer}/avatar/${name}.png`,
      };
    },
  };
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'basalt',
      client_secret: 'basalt-secret',
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1/api/oauth2-redirect', 'http://127.0.0.1/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username', 'picture'],
  },
  findAccount: async (_ctx, id) => account(id),
  // conformIdTokenClaims off: the id_token carries the scopes' claims too (the oidc2 tests read
  // the user from it, without a user info URL).
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['basalt-test-oidc-cookie-key'] },
  ttl: { AccessToken: 3600, AuthorizationCode: 600, IdToken: 3600, Interaction: 600, Session: 3600, Grant: 3600 },
});
provider.proxy = false;

/** The interaction page: logs in the hinted account, then grants what was asked. */
async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  if (prompt.name === 'login') {
    const login = String(params.login_hint || 'alice');
    return provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
  }
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  if (prompt.details.missingResourceScopes) {
    for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes)) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
  }
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

/** Follows a browser sign-in from `url` until it leaves this server; returns that URL. */
async function drive(url) {
  const cookies = new Map();
  let next = url;
  for (let i = 0; i < 20; i++) {
    const res = await fetch(next, {
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
    }
    const location = res.headers.get('location');
    if (!location) {
      throw new Error(`sign-in stopped at ${next} with ${res.status}: ${await res.text()}`);
    }
    const target = new URL(location, next);
    if (target.origin !== issuer) return target.toString();
    next = target.toString();
  }
  throw new Error('too many redirects');
}

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    if (req.method === 'GET' && url.pathname.startsWith('/interaction/')) {
      return await interaction(req, res);
    }
    if (req.method === 'GET' && url.pathname.startsWith('/avatar/')) {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length });
      return res.end(PNG);
    }
    if (req.method === 'GET' && url.pathname === '/test/login') {
      const location = await drive(url.searchParams.get('url'));
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ location }));
    }
    return callback(req, res);
  } catch (err) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(String(err?.stack || err));
  }
});
server.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
