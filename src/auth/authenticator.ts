// Credential -> principal, nothing else. A bearer credential is either an API key (`ck_…`,
// looked up by its SHA-256 hash) or a JWT (HS256 with AUTH_JWT_SECRET, RS256/ES256 through
// AUTH_JWKS_URL), with algorithms pinned and `exp`, `aud`, `sub` and `company_id` required.
import { createSecretKey } from 'node:crypto';
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  type JWTPayload,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { Unauthenticated } from '../errors.js';
import { MAX_ID_LENGTH } from '../lib/ids.js';
import type { ApiKeyRepository } from '../repositories/api-key.js';
import { API_KEY_PREFIX, hashApiKey } from './api-key.js';
import type { Principal } from './principal.js';

export interface AuthOptions {
  jwtSecret: string | null;
  jwksUrl: string | null;
  audience: string;
  apiKeys: ApiKeyRepository;
}

const ASYMMETRIC = ['RS256', 'ES256'];
const VERIFIED_TOKENS = 10_000;

function validCompanyId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

/**
 * A principal, or why there is none (UNAUTHENTICATED). Synchronous for a JWT verified before, so
 * that the request's context is made without a turn of the event loop.
 */
export type Authenticate = (authorization: string | null) => Principal | Promise<Principal>;

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export const NO_CREDENTIAL = 'Send a credential: Authorization: Bearer <API key or JWT>';

export function createAuthenticator(options: AuthOptions): Authenticate {
  // A KeyObject, made once: jose would otherwise import the raw secret on every verification.
  const secret =
    options.jwtSecret === null ? null : createSecretKey(Buffer.from(options.jwtSecret, 'utf8'));

  // Tokens already verified, until they expire: a client sends the same token with every
  // request, and an HMAC (or RSA) check per request is the costliest part of authenticating.
  const verified = new Map<string, { principal: Principal; expiresAt: number }>();
  const remember = (token: string, principal: Principal, expiresAt: number) => {
    if (verified.size >= VERIFIED_TOKENS) verified.delete(verified.keys().next().value!);
    verified.set(token, { principal, expiresAt });
  };
  const jwks = options.jwksUrl === null ? null : createRemoteJWKSet(new URL(options.jwksUrl));

  async function verifyJwt(token: string): Promise<JWTPayload> {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new Unauthenticated('The bearer credential is neither an API key nor a JWT');
    }
    const verifyOptions = {
      audience: options.audience,
      requiredClaims: ['exp', 'sub'],
      clockTolerance: 5,
    };
    try {
      if (alg === 'HS256' && secret) {
        return (await jwtVerify(token, secret, { ...verifyOptions, algorithms: ['HS256'] }))
          .payload;
      }
      if (alg !== undefined && ASYMMETRIC.includes(alg) && jwks) {
        return (await jwtVerify(token, jwks, { ...verifyOptions, algorithms: ASYMMETRIC })).payload;
      }
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired)
        throw new Unauthenticated('The token has expired');
      // The failing claim by name (jose's message names it and never quotes the token).
      if (error instanceof joseErrors.JWTClaimValidationFailed) {
        throw new Unauthenticated(`The token was rejected: ${error.message}`);
      }
      if (error instanceof joseErrors.JOSEError) {
        throw new Unauthenticated(`The token was rejected (${error.code})`);
      }
      throw error;
    }
    throw new Unauthenticated(`Tokens signed with ${alg ?? 'no algorithm'} are not accepted here`);
  }

  /** The principal of a bearer credential not verified before (or whose token expired). */
  const principalOf = async (credential: string): Promise<Principal> => {
    if (credential.startsWith(API_KEY_PREFIX)) {
      const key = await options.apiKeys.findActiveByHash(hashApiKey(credential));
      if (!key) throw new Unauthenticated('The API key is unknown or revoked');
      return {
        companyId: key.companyId,
        actorId: key.id,
        scopes: new Set(key.scopes),
      };
    }

    const claims = await verifyJwt(credential);
    if (!validCompanyId(claims.company_id)) {
      throw new Unauthenticated('The token has no valid company_id claim');
    }
    if (
      typeof claims.sub !== 'string' ||
      claims.sub.length === 0 ||
      claims.sub.length > MAX_ID_LENGTH
    ) {
      throw new Unauthenticated('The token has no valid sub claim');
    }
    const scope = typeof claims.scope === 'string' ? claims.scope : '';
    const principal: Principal = {
      companyId: claims.company_id,
      actorId: claims.sub,
      scopes: new Set(scope.split(/\s+/).filter(Boolean)),
    };
    remember(credential, principal, (claims.exp ?? 0) * 1000);
    return principal;
  };

  return (authorization) => {
    const credential = authorization ? BEARER.exec(authorization)?.[1] : undefined;
    if (credential === undefined) {
      return Promise.reject(new Unauthenticated(NO_CREDENTIAL));
    }
    const cached = verified.get(credential);
    if (cached && cached.expiresAt > Date.now()) return cached.principal;
    return principalOf(credential);
  };
}
