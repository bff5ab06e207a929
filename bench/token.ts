// The bench's credential: a staff member of one company with read and write scopes, signed with
// the secret the servers it drives were started with (AUTH_JWT_SECRET), for their audience.
import { SignJWT } from 'jose';

export const BENCH_AUDIENCE = 'customer-graph';

export const benchToken = (secret: string, companyId: string) =>
  new SignJWT({ company_id: companyId, scope: 'customers:read customers:write' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('stf_bench')
    .setAudience(BENCH_AUDIENCE)
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(secret));
