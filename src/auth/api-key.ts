// API keys: `ck_` + 40 random characters, stored only as a SHA-256 hash (a high-entropy key needs
// no slow hash).
import { sha256Hex } from '../lib/hash.js';
import { randomToken } from '../lib/ids.js';

export const API_KEY_PREFIX = 'ck_';

export const hashApiKey = sha256Hex;

export const generateApiKey = (): string => API_KEY_PREFIX + randomToken(40);
