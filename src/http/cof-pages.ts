// The pages a card-on-file link opens: GET shows the link's state and changes nothing; POST
// redeems it. Small, self-contained HTML (no scripts, no external resources), never cached,
// never indexed, and sending no referrer (the URL is the secret).
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../lib/logger.js';
import { toDate } from '../lib/time.js';
import type { CofRedemptionService, LinkState } from '../services/card-on-file.js';

const PATH = /^\/cof\/([^/]+)$/;

type PageState = LinkState | 'redeemed';

const PAGES: Record<PageState, { status: number; title: string; body: string }> = {
  valid: {
    status: 200,
    title: 'Save a card on file',
    body: 'Save a payment card with the business for future visits. This link works once.',
  },
  redeemed: {
    status: 200,
    title: 'Thank you',
    body: 'Your card setup has started. You can close this page.',
  },
  expired: {
    status: 410,
    title: 'This link has expired',
    body: 'Card-on-file links are valid for 24 hours. Ask the business for a new one.',
  },
  used: {
    status: 410,
    title: 'This link has been used',
    body: 'Each card-on-file link works once. Ask the business for a new one if you need it.',
  },
  revoked: {
    status: 410,
    title: 'This link has been replaced',
    body: 'The business sent a newer link; please use that one.',
  },
  unknown: {
    status: 404,
    title: 'Link not found',
    body: 'This card-on-file link does not exist. Check that you opened the whole link.',
  },
};

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

function renderCofPage(
  state: PageState,
  expiresTime: string | null = null,
): { status: number; html: string } {
  const page = PAGES[state];
  const expiry =
    state === 'valid' && expiresTime
      ? `<p class="small">Valid until ${escapeHtml(toDate(expiresTime).toUTCString())}.</p>`
      : '';
  const form =
    state === 'valid' ? '<form method="post"><button type="submit">Add a card</button></form>' : '';
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(page.title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.4rem; }
button { font-size: 1rem; padding: .6rem 1.2rem; border: 0; border-radius: .4rem; background: #2b6cb0; color: #fff; cursor: pointer; }
.small { color: #666; font-size: .9rem; }
</style>
</head>
<body data-state="${state}">
<h1>${escapeHtml(page.title)}</h1>
<p>${escapeHtml(page.body)}</p>
${expiry}${form}
</body>
</html>
`;
  return { status: page.status, html };
}

const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex, nofollow',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
};

/** Serves /cof/<token>: GET and HEAD show the state, POST redeems. */
export function useCardOnFilePages(redemption: CofRedemptionService, logger: Logger): Plugin {
  type Payload = Parameters<NonNullable<Plugin['onRequest']>>[0];
  async function serve({ request, endResponse, fetchAPI }: Payload, token: string) {
    const respond = (page: { status: number; html: string }, extra: Record<string, string> = {}) =>
      endResponse(
        new fetchAPI.Response(request.method === 'HEAD' ? null : page.html, {
          status: page.status,
          headers: { ...HEADERS, ...extra },
        }),
      );
    try {
      if (request.method === 'GET' || request.method === 'HEAD') {
        const { state, expiresTime } = await redemption.inspect(token);
        return respond(renderCofPage(state, expiresTime));
      }
      if (request.method === 'POST') {
        const result = await redemption.redeem(token);
        if (result.state === 'redeemed' && result.redirectUrl) {
          return endResponse(
            new fetchAPI.Response(null, {
              status: 303,
              headers: { ...HEADERS, location: result.redirectUrl },
            }),
          );
        }
        return respond(renderCofPage(result.state));
      }
      return respond({ status: 405, html: 'Method not allowed\n' }, { allow: 'GET, HEAD, POST' });
    } catch (error) {
      logger.error({ error }, 'card-on-file page failed');
      return respond({ status: 500, html: 'Something went wrong. Please try again later.\n' });
    }
  }
  return {
    // Synchronous for every other path: an async hook would put a promise, and a turn of the
    // event loop, into every GraphQL request.
    onRequest(payload) {
      const match = PATH.exec(payload.url.pathname);
      // Not decoded: the links carry base64url tokens, so an escaped one names no link (and a
      // malformed escape such as %ff is no error of ours).
      if (match) return serve(payload, match[1]!);
    },
  };
}
