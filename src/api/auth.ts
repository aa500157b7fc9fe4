// Bearer-token authentication and role checks. Tokens come from config as Secrets; only their
// SHA-256 digests are kept, and a presented token is compared against every digest with
// crypto.timingSafeEqual, so neither the match nor its position leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import { revealSecret } from '../config/secret.js';
import type { Config } from '../config/schema.js';
import type { Role } from './deps.js';

/** What a route needs: a role, or nothing at all (health probes, docs). */
export type Access = Role | 'public';

export interface Principal {
  /** The token's configured name; "anonymous" for public reads. */
  name: string;
  role: Role | 'anonymous';
}

/** Roles that satisfy each need. ingest is deliberately not a reader: a carrier's push token sees nothing. */
const ALLOWED: Record<Role, readonly Role[]> = {
  read: ['read', 'operator', 'admin'],
  operator: ['operator', 'admin'],
  ingest: ['ingest', 'admin'],
  admin: ['admin'],
};

export function roleAllows(role: Role, need: Role): boolean {
  return ALLOWED[need].includes(role);
}

export const MIN_TOKEN_LENGTH = 24;

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Problems of the api.tokens config (`api.tokens[i]: message`), never naming a token's value. */
export function tokenProblems(config: Config['api']): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  config.tokens.forEach((t, i) => {
    const value = revealSecret(t.token);
    if (value === undefined) problems.push(`api.tokens[${i}]: token (or token_env / token_file) is required`);
    else if (value.length < MIN_TOKEN_LENGTH) problems.push(`api.tokens[${i}]: token must be at least ${MIN_TOKEN_LENGTH} characters`);
    else {
      const key = digest(value).toString('hex');
      const first = seen.get(key);
      if (first !== undefined) problems.push(`api.tokens[${i}]: same token as api.tokens[${first}]`);
      else seen.set(key, i);
    }
  });
  return problems;
}

export type AuthOutcome =
  | { ok: true; principal: Principal }
  | { ok: false; status: 401 | 403; error: 'missing_token' | 'invalid_token' | 'forbidden'; message: string };

export class TokenAuthenticator {
  readonly #tokens: { name: string; role: Role; digest: Buffer }[];
  readonly #publicRead: boolean;

  constructor(config: Config['api']) {
    this.#publicRead = config.public_read;
    this.#tokens = config.tokens.flatMap((t) => {
      const value = revealSecret(t.token);
      return value === undefined ? [] : [{ name: t.name, role: t.role, digest: digest(value) }];
    });
  }

  /** The holder of a presented token, or undefined. Checks every token to keep the time flat. */
  identify(token: string): Principal | undefined {
    const presented = digest(token);
    let found: Principal | undefined;
    for (const t of this.#tokens) if (timingSafeEqual(presented, t.digest) && !found) found = { name: t.name, role: t.role };
    return found;
  }

  /** Decides one request from its Authorization header and the route's need. */
  authorize(authorization: string | undefined, need: Access): AuthOutcome {
    if (need === 'public') return { ok: true, principal: { name: 'anonymous', role: 'anonymous' } };
    if (authorization === undefined || authorization === '') {
      if (need === 'read' && this.#publicRead) return { ok: true, principal: { name: 'anonymous', role: 'anonymous' } };
      return { ok: false, status: 401, error: 'missing_token', message: 'this route needs a bearer token (Authorization: Bearer …)' };
    }
    const match = /^Bearer[ ]+([\x21-\x7e]+)[ ]*$/i.exec(authorization);
    const principal = match ? this.identify(match[1]!) : undefined;
    if (!principal) return { ok: false, status: 401, error: 'invalid_token', message: 'the bearer token is not valid' };
    if (principal.role === 'anonymous' || !roleAllows(principal.role, need))
      return { ok: false, status: 403, error: 'forbidden', message: `role "${principal.role}" may not use this route (needs ${need})` };
    return { ok: true, principal };
  }
}
