// Who an HTTP request is. With users configured (the --users file pgwire reads), every request needs
// `Authorization: Bearer <base64(name:password)>` (or the same credentials as HTTP Basic, as
// `curl -u name:password` sends them), checked against the stored password in any format auth.ts
// accepts. Without users every request is trusted as user 'local' of tenant 'default'.
import { createHash } from 'node:crypto';
import { verifyPassword, type PgUser } from '../pgwire/auth.ts';
import { HttpError } from './errors.ts';

/** The caller of a request. */
export interface Identity {
  readonly tenant: string;
  readonly user: string;
}

/** The identity of trusted requests (no users configured). */
export const TRUSTED: Identity = { tenant: 'default', user: 'local' };

/** The token of a user: base64 of `name:password` (what a client puts after `Bearer `). */
export function bearerToken(name: string, password: string): string {
  return Buffer.from(`${name}:${password}`, 'utf8').toString('base64');
}

export class HttpAuth {
  private readonly users: Map<string, PgUser> | undefined;
  /** Tokens already checked (sha256 of the token → identity): password hashes are slow on purpose. */
  private readonly known = new Map<string, Identity>();

  constructor(users?: readonly PgUser[]) {
    this.users = users ? new Map(users.map((u) => [u.name, u])) : undefined;
  }

  /** True when requests are checked. */
  get required(): boolean {
    return this.users !== undefined;
  }

  /** The identity behind an Authorization header; throws 401 when users are configured and it does not check out. */
  identify(header: string | undefined): Identity {
    if (!this.users) return TRUSTED;
    const refuse = (why: string): never => {
      throw HttpError.of(401, why, { 'WWW-Authenticate': 'Bearer realm="agentlake"' });
    };
    const m = /^\s*(Bearer|Basic)\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? '');
    if (!m) return refuse(header === undefined ? 'authentication required: send Authorization: Bearer <base64(name:password)>' : 'malformed Authorization header: expected Bearer <base64(name:password)>');
    const token = m[2] ?? '';
    const key = createHash('sha256').update(token).digest('hex');
    const cached = this.known.get(key);
    if (cached) return cached;
    const decoded = Buffer.from(token.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon > 0 ? this.users.get(decoded.slice(0, colon)) : undefined;
    if (!user || !verifyPassword(user, decoded.slice(colon + 1))) return refuse('authentication failed: unknown user or wrong password');
    const id: Identity = { tenant: user.tenant, user: user.name };
    if (this.known.size >= 1024) this.known.clear();
    this.known.set(key, id);
    return id;
  }
}
