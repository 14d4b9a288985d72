// Users and how each one authenticates. A user's `password` is one of:
//   SCRAM-SHA-256$<iterations>:<salt b64>$<StoredKey b64>:<ServerKey b64>  (PostgreSQL's verifier) → SCRAM-SHA-256
//   md5<32 hex digits> (md5 of password || user name, as PostgreSQL stores it)                     → md5
//   scrypt:<salt hex>:<key hex> (N=16384, r=8, p=1)  → cleartext password on the wire, checked with scrypt
//   anything else: the plaintext password                                                       → SCRAM-SHA-256
// SCRAM and md5 need a password-equivalent secret, so an scrypt hash can only be checked against the
// cleartext; prefer SCRAM verifiers (hashPassword(p, 'scram')) since the server refuses SSL.
import { createHash, createHmac, pbkdf2Sync, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { createScramSha256Data, type ScramSha256Data } from 'pg-gateway';
import type { PostgresConnectionOptions } from 'pg-gateway';

/** One login: name, tenant, and the password in one of the formats above. */
export interface PgUser {
  readonly name: string;
  readonly tenant: string;
  readonly password: string;
}

type AuthOptions = NonNullable<PostgresConnectionOptions['auth']>;

const SCRAM = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/;
const MD5 = /^md5([0-9a-f]{32})$/;
const SCRYPT = /^scrypt:([0-9a-f]+):([0-9a-f]+)$/;

/** Validates user entries (unknown input, e.g. a --users file) into PgUser values. */
export function parseUsers(input: unknown): PgUser[] {
  if (!Array.isArray(input)) throw new TypeError('users must be a JSON array of { "name", "tenant", "password" }');
  const seen = new Set<string>();
  return input.map((u: unknown, i) => {
    const o = typeof u === 'object' && u !== null ? (u as Record<string, unknown>) : {};
    const [name, tenant, password] = [o['name'], o['tenant'], o['password']];
    if (typeof name !== 'string' || name === '' || typeof tenant !== 'string' || tenant === '' || typeof password !== 'string' || password === '') {
      throw new TypeError(`user ${i + 1} needs non-empty string "name", "tenant" and "password"`);
    }
    if (seen.has(name)) throw new TypeError(`user '${name}' is listed twice`);
    seen.add(name);
    return { name, tenant, password };
  });
}

/** A stored form of `password`: a SCRAM-SHA-256 verifier (default) or an scrypt hash. */
export async function hashPassword(password: string, kind: 'scram' | 'scrypt' = 'scram'): Promise<string> {
  if (kind === 'scrypt') {
    const salt = randomBytes(16);
    return `scrypt:${salt.toString('hex')}:${scryptSync(password, salt, 32).toString('hex')}`;
  }
  const d = await createScramSha256Data(password);
  return `SCRAM-SHA-256$${d.iterations}:${d.salt}$${d.storedKey}:${d.serverKey}`;
}

/** Checks a cleartext password against an `scrypt:` entry. */
function scryptMatches(stored: string, password: string): boolean {
  const m = SCRYPT.exec(stored);
  if (!m) return false;
  const want = Buffer.from(m[2] ?? '', 'hex');
  const got = scryptSync(password, Buffer.from(m[1] ?? '', 'hex'), want.length);
  return want.length > 0 && timingSafeEqual(want, got);
}

/**
 * Checks a cleartext password against a user's stored password in any of the formats above (the
 * HTTP API's credentials; pgwire checks through the wire exchanges instead).
 */
export function verifyPassword(user: PgUser, password: string): boolean {
  const stored = user.password;
  const same = (a: Buffer, b: Buffer): boolean => a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
  const scram = SCRAM.exec(stored);
  if (scram) {
    const salted = pbkdf2Sync(password, Buffer.from(scram[2] ?? '', 'base64'), Number(scram[1]), 32, 'sha256');
    const storedKey = createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest();
    return same(storedKey, Buffer.from(scram[3] ?? '', 'base64'));
  }
  const md5 = MD5.exec(stored);
  if (md5) return same(createHash('md5').update(password + user.name).digest(), Buffer.from(md5[1] ?? '', 'hex'));
  if (SCRYPT.test(stored)) return scryptMatches(stored, password);
  return same(Buffer.from(password), Buffer.from(stored));
}

/** Picks each connection's authentication method from its user; unknown users fail SCRAM. */
export class Authenticator {
  private readonly users: Map<string, PgUser>;
  private readonly scram = new Map<string, Promise<ScramSha256Data>>();
  /** Keys nobody knows the password of: an unknown user goes through SCRAM and fails like a wrong password. */
  private readonly decoy: Promise<ScramSha256Data>;

  constructor(users: readonly PgUser[]) {
    this.users = new Map(users.map((u) => [u.name, u]));
    this.decoy = createScramSha256Data(randomBytes(24).toString('base64'));
    for (const u of users) {
      const m = SCRAM.exec(u.password);
      if (m) this.scram.set(u.name, Promise.resolve({ iterations: Number(m[1]), salt: m[2] ?? '', storedKey: m[3] ?? '', serverKey: m[4] ?? '' }));
      else if (!MD5.test(u.password) && !SCRYPT.test(u.password)) this.scram.set(u.name, createScramSha256Data(u.password));
    }
  }

  /** The tenant of a user (undefined for unknown users). */
  tenantOf(user: string): string | undefined {
    return this.users.get(user)?.tenant;
  }

  /** pg-gateway auth options for a connection that says it is `user`. */
  optionsFor(user: string): AuthOptions {
    const u = this.users.get(user);
    const md5 = u ? MD5.exec(u.password) : null;
    if (u && md5) return { method: 'md5', getPreHashedPassword: () => md5[1] ?? '' };
    if (u && SCRYPT.test(u.password)) {
      const stored = u.password;
      return { method: 'password', getClearTextPassword: () => '', validateCredentials: ({ password }) => scryptMatches(stored, password) };
    }
    const data = (u && this.scram.get(u.name)) ?? this.decoy;
    return { method: 'scram-sha-256', getScramSha256Data: () => data };
  }
}
