// The fleet dashboard in a real browser (Debian's chromium through playwright-core), over
// real HTTP, while a step walks: the app against the GitHub-compatible test server holding
// the Flux example fleet. A release opens the operator's dev PR; a reviewer merges it; the
// cluster agent's signed snapshot proves it; the gate passes. At each point the page is
// read as a person reads it, and screenshots go to test-results/dashboard/.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { runCron } from '../../functions/cron.ts';
import { GATE_CONTEXT } from '../../lib/engine/index.ts';
import { stepFromPullRequestBody } from '../../lib/render/pull-request.ts';
import {
  accessibilityProblems,
  computedStyle,
  describeWithChromium,
  launchChromium,
  openDashboard,
  PHONE,
  screenshot,
  scrollsSideways,
  serveHttp,
  tabOrder,
} from '../support/browser.ts';
import { describeWithFixtures, haveFixtures } from '../support/fixtures.ts';
import type { GitHubTestServer } from '../support/github-server/index.ts';
import {
  devSnapshot,
  fleetServer,
  githubDelivery,
  mergedPayload,
  openPulls,
  payload,
  provenDev,
  service,
} from './helpers.ts';

const TOKEN = 'browser-dashboard-token-01';

/** The operator's dev path as the page shows it: each version with its state, and the position. */
async function operatorPath(page: Page) {
  const path = page.locator('ol[aria-label^="Path of howl-redis-operator in dev:"]');
  const nodes = await path.locator(':scope > li').evaluateAll((lis) =>
    lis.map((li) => ({
      version: li.querySelector('.v')?.textContent ?? '',
      state: (li.querySelector('.s')?.textContent ?? '').replace(/\s+/g, ' ').trim(),
      current: li.getAttribute('aria-current') === 'step',
    })),
  );
  return { position: nodes.find((n) => n.current)?.version, nodes };
}

const suite = haveFixtures ? describeWithChromium : describeWithFixtures;

suite('the fleet dashboard in chromium while a step walks', () => {
  let browser: Browser;
  const cleanup: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  it('the position moves as the step passes, the blocked goal shows its reason, it is keyboard- and phone-usable', async () => {
    const github: GitHubTestServer = await fleetServer();
    cleanup.push(() => github.stop());
    const { cairn, env } = service(github, { CAIRN_DASHBOARD_TOKEN: TOKEN });
    const served = await serveHttp((req) => cairn.app.fetch(req, env));
    cleanup.push(() => served.close());
    const post = (path: string, init: RequestInit) => fetch(`${served.url}${path}`, init);

    // Without the token: 401 and a sign-in form, in the browser too.
    const anonymous = await browser.newPage();
    expect((await anonymous.goto(served.url))?.status()).toBe(401);
    expect(await anonymous.getByLabel('Dashboard token').count()).toBe(1);
    await anonymous.close();

    // A release: the operator's dev step opens.
    expect(
      (await post('/webhooks/github', githubDelivery('release', payload('release/published.payload.json'))))
        .status,
    ).toBe(200);
    const dev = openPulls(github)
      .map((p) => ({ p, step: stepFromPullRequestBody(p.body)! }))
      .find((x) => x.step.component === 'howl-redis-operator' && x.step.environment === 'dev')!;
    expect(dev).toBeDefined();

    const { context, page } = await openDashboard(browser, served.url, TOKEN);
    cleanup.push(() => context.close());
    let path = await operatorPath(page);
    expect(path.position).toBe(dev.step.from);
    expect(path.nodes[1]).toMatchObject({
      version: dev.step.to,
      state: `PR open · #${dev.p.number}`,
      current: false,
    });
    await screenshot(page, '1-pr-open');

    // The blocked goal says why, and what unblocks it.
    const blocked = page
      .getByRole('heading', { name: 'Blocked goals' })
      .locator('xpath=following-sibling::ul[1]/li')
      .filter({ hasText: 'redis-enterprise-operator' });
    expect(await blocked.count()).toBe(1);
    const blockedText = (await blocked.first().textContent())!.replace(/\s+/g, ' ');
    expect(blockedText).toContain('Blocked: Kubernetes 1.23 is not supported by redis-enterprise-operator');
    expect(blockedText).toContain('Unblock: upgrade Kubernetes on production to 1.27 first');

    // Keyboard: the skip link first, then every PR link can be reached with Tab.
    const order = await tabOrder(page);
    expect(order[0]).toMatchObject({ tag: 'a', text: 'Skip to the dashboard' });
    const prHref = `/pull/${dev.p.number}`;
    expect(order.some((e) => e.tag === 'a' && e.href?.endsWith(prHref))).toBe(true);
    await page.keyboard.press('Escape');
    expect(await accessibilityProblems(page)).toEqual([]);
    // The stylesheet applies (its CSP hash matches): the position is drawn with a heavier border.
    expect(await computedStyle(page.locator('li[aria-current="step"] .node'), 'borderTopWidth')).toBe('3px');

    // A reviewer merges; GitHub tells cairn; the gate waits for the cluster.
    const merge = github.merge(dev.p.number);
    expect(
      (await post('/webhooks/github', githubDelivery('pull_request', mergedPayload(dev.p.number, merge))))
        .status,
    ).toBe(200);
    await page.reload();
    path = await operatorPath(page);
    expect(path.position).toBe(dev.step.from);
    expect(path.nodes[1]).toMatchObject({ version: dev.step.to, current: false });
    expect(path.nodes[1]!.state).toContain('merged, gate pending');
    await screenshot(page, '2-merged-gate-pending');

    // The agent's signed snapshot proves it: cairn/gate success, the position moves.
    const signed = await devSnapshot(provenDev(merge, dev.step.to));
    expect(
      (await post('/webhooks/agent', { method: 'POST', headers: signed.headers, body: signed.body })).status,
    ).toBe(202);
    expect(github.statuses.get(merge)?.[0]).toMatchObject({ context: GATE_CONTEXT, state: 'success' });
    await page.reload();
    path = await operatorPath(page);
    expect(path.position).toBe(dev.step.to);
    expect(path.nodes.find((n) => n.current)?.state).toContain('current (proven)');
    const verdict = page
      .locator('article')
      .filter({ hasText: `#${dev.p.number}` })
      .filter({ hasText: 'pass' });
    expect(await verdict.count()).toBeGreaterThan(0);
    await screenshot(page, '3-gate-passed');

    // The next cron run opens staging's step; the page shows it.
    await runCron(cairn.services(env), 'browser');
    await page.reload();
    const staging = page.locator('ol[aria-label^="Path of howl-redis-operator in staging:"] li').nth(1);
    expect((await staging.textContent())!.replace(/\s+/g, ' ')).toMatch(/PR open · #\d+/);
    expect((await operatorPath(page)).position).toBe(dev.step.to);

    // On a phone: everything wraps, nothing scrolls sideways.
    const phone = await openDashboard(browser, served.url, TOKEN, PHONE);
    cleanup.push(() => phone.context.close());
    expect(await scrollsSideways(phone.page)).toBe(false);
    expect((await operatorPath(phone.page)).position).toBe(dev.step.to);
    await screenshot(phone.page, '4-phone');
  });
});
