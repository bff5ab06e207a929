// GraphiQL as a newcomer meets it: the real server (`npm start`'s entry point) opened in Debian's
// Chromium, driven by playwright-core. Without /usr/bin/chromium the browser test is skipped,
// except under CI=true, where .ci/run installs it and a missing browser fails.
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphiqlOptions } from '../src/http/graphiql.js';
import { seedExample } from './helpers/customers.js';
import { graphql, useTestEnv } from './helpers/env.js';
import { devKeyOf, type RunningServer, serverScratch, startServer } from './helpers/server.js';

const CHROMIUM = '/usr/bin/chromium';
const browserTests = existsSync(CHROMIUM) || process.env.CI === 'true';

describe('GraphiQL without a browser', () => {
  const env = useTestEnv();
  it("opens CreateCustomer with the seed's example 1, verbatim, as its input", () => {
    const variables = JSON.parse(graphiqlOptions(null).variables) as { input: unknown };
    expect(variables.input).toEqual(seedExample(1));
  });

  it('is not served (GRAPHIQL=false; tests build the app that way)', async () => {
    const response = await env.app.fetch(
      new Request('http://localhost/graphql', { headers: { accept: 'text/html' } }),
    );
    expect(response.headers.get('content-type') ?? '').not.toContain('text/html');
    expect(await response.text()).not.toContain('<html');
    // The API itself still answers.
    expect((await graphql(env.app, '{ __typename }')).status).toBe(401);
  });
});

describe.skipIf(!browserTests)('GraphiQL in Chromium', () => {
  const scratch = serverScratch('graphiql');
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let devKey: string;

  beforeAll(async () => {
    server = await startServer(scratch.env);
    devKey = devKeyOf(server);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-default-apps',
        '--disable-sync',
        '--no-first-run',
        '--disable-dev-shm-usage',
      ],
    });
    page = await browser.newPage();
    // Offline: GraphiQL is bundled and served by the API itself, nothing comes from a CDN.
    await page.route(
      (url) => !url.href.startsWith(server.url),
      (route) => route.abort(),
    );
    await page.goto(`${server.url}/graphql`);
    await page.locator('.graphiql-query-editor').waitFor({ timeout: 30_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (server && server.process.exitCode === null) await server.stop();
    scratch.remove();
  });

  it('runs CreateCustomer and shows the new customer', async () => {
    expect(devKey).toMatch(/^ck_/);
    // The page hands GraphiQL the seed's flow (the editor itself shows only the lines in view).
    const html = await (
      await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } })
    ).text();
    for (const operation of [
      'mutation CreateCustomer($input: CreateCustomerInput!)',
      'query GetCustomer($id: ID!)',
      'mutation UpdateCustomer($id: ID!)',
      'query ListCustomers($after: String)',
      'startTime: \\"2024-08-01T00:00:00Z\\", endTime: \\"2024-08-02T00:00:00Z\\"',
      'query SearchCustomers',
      'filter: { query: \\"jon doe\\" }',
      'mutation AppendCustomerNotes($id: ID!)',
      'mutation AppendCustomerTags($id: ID!)',
      'mutation GenerateCardOnFileLink($id: ID!)',
    ]) {
      expect(html).toContain(operation);
    }
    const editor = page.locator('.graphiql-query-editor');
    // The cursor in CreateCustomer, then Ctrl+Enter: GraphiQL runs the operation under the cursor.
    await editor.locator('.view-line', { hasText: /mutation\s+CreateCustomer/ }).click();
    await page.keyboard.press('Control+Enter');

    const response = page.locator('.graphiql-response');
    // Monaco lays text out with non-breaking spaces.
    const shown = async (locator: typeof response) =>
      ((await locator.textContent()) ?? '').replace(/\u00a0/g, ' ');
    await expect.poll(() => shown(response), { timeout: 30_000 }).toMatch(/"id": "cus_\w+"/);
    const id = /"id": "(cus_\w+)"/.exec(await shown(response))?.[1];

    // The customer the pane shows exists, in the development key's company.
    const check = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${devKey}` },
      body: JSON.stringify({
        query: 'query($id: ID!) { customer(id: $id) { id companyId firstName } }',
        variables: { id },
      }),
    });
    expect(((await check.json()) as { data: unknown }).data).toEqual({
      customer: { id, companyId: 'cmp_001', firstName: 'John' },
    });
  });

  it('has the development key in its headers', async () => {
    await page.getByText('Headers', { exact: true }).click();
    const headers = page.locator('.graphiql-editor-tool .graphiql-editor').last();
    await expect
      .poll(async () => ((await headers.textContent()) ?? '').replace(/\u00a0/g, ' '))
      .toContain(`"Authorization": "Bearer ${devKey}"`);
  });

  it("shows the schema's descriptions in the docs pane", async () => {
    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    const docs = page.locator('.graphiql-doc-explorer');
    await docs.getByText('Query', { exact: true }).first().click();
    await expect
      .poll(() => docs.textContent())
      .toContain('Reads. Every field that returns stored data needs the customers:read scope.');
    await expect
      .poll(() => docs.textContent())
      .toContain('GetCustomer. Null plus a NOT_FOUND error');
  });
});
