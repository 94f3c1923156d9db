// A member organization's identity provider for the tests: panva/oidc-provider
// (OpenID Certified) with PKCE required, RFC 9207 `iss` in authorization
// responses, and RFC 9068 JWT access tokens for the node's audience.
// Usage: node provider.mjs PORT CONFIG_JSON
//   CONFIG_JSON: {"client_id", "client_secret", "redirect_uris": [...], "audience"}
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const [port, raw] = process.argv.slice(2);
const config = JSON.parse(raw);
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signing = { ...privateKey.export({ format: 'jwk' }), kid: `k-${port}`, alg: 'RS256', use: 'sig' };
const resourceScopes = 'entries:read entries:write curation';

const provider = new Provider(issuer, {
  clients: [{
    client_id: config.client_id,
    client_secret: config.client_secret,
    redirect_uris: config.redirect_uris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  jwks: { keys: [signing] },
  cookies: { keys: [randomBytes(16).toString('hex')] },
  scopes: ['openid', 'profile'],
  claims: { openid: ['sub'], profile: ['name'] },
  async findAccount(ctx, id) {
    return { accountId: id, async claims() { return { sub: id, name: `Person ${id}` }; } };
  },
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => config.audience,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: resourceScopes,
        audience: config.audience,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  // Consent is not what these tests are about: grant what the client asks for.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile');
    grant.addResourceScope(config.audience, resourceScopes);
    await grant.save();
    return grant;
  },
});
provider.proxy = false;
provider.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`listening ${issuer}\n`);
});
