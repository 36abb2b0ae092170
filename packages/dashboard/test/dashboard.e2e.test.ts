import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@troupe/core';
import { ProcessRunner } from '@troupe/runners';
import { createServer, type TroupeServer } from '@troupe/server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, DASHBOARD_DIR } from './support/buildDashboard.js';
import { chromiumRequired, hasChromium, launchChromium } from './support/chromium.js';
import { e2eGoalWorkflow } from './support/e2eWorkflow.js';
import { Latches } from './support/latches.js';

const ROOT = join(DASHBOARD_DIR, '..', '..');
/** Screenshots of each step (git-ignored), and the README's picture of a run in progress. */
const SHOTS = join(ROOT, 'test-artifacts', 'dashboard');
const README_SHOT = join(ROOT, 'docs', 'dashboard.png');
const TOKEN = 'e2e-board-token';
const POLL = { timeout: 30_000, interval: 100 };
const auth = { authorization: `Bearer ${TOKEN}` };

interface HoldableWindow {
  __sockets: WebSocket[];
  __hold: boolean;
}

/** Runs in the page first: records its WebSockets, and while `__hold` is set sends new ones nowhere (refused). */
function holdableSockets(): void {
  const w = window as unknown as HoldableWindow & { WebSocket: typeof WebSocket };
  const Native = w.WebSocket;
  w.__sockets = [];
  w.__hold = false;
  w.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(w.__hold ? 'ws://127.0.0.1:9/' : url, protocols);
      w.__sockets.push(this);
    }
  };
}

describe.skipIf(!hasChromium && !chromiumRequired)('dashboard in headless Chromium', () => {
  const latches = new Latches();
  const runner = new ProcessRunner();
  let server: TroupeServer;
  let base: string;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const dist = await buildDashboard();
    server = await createServer({
      token: TOKEN,
      goal: e2eGoalWorkflow(latches, runner),
      dashboardDir: dist,
      logger: createLogger({ level: 'silent' }),
    });
    base = await server.listen();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
    await page.addInitScript(holdableSockets);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    mkdirSync(SHOTS, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await runner.close();
  });

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const card = (name: string) =>
    page.locator('article.card', { has: page.locator('.name', { hasText: new RegExp(`^${name}$`) }) });
  const cardStatus = (name: string) =>
    card(name)
      .getAttribute('data-status', { timeout: 1000 })
      .catch(() => null);
  const runStatus = () => page.locator('.head .badge').first().textContent();

  async function startFromForm(goal: string): Promise<string> {
    await page.goto(`${base}/#/`);
    await page.fill('input[name=goal]', goal);
    await page.click('form.start button[type=submit]');
    await page.waitForURL(/#\/tasks\/.+/, POLL);
    return decodeURIComponent(new URL(page.url()).hash.replace('#/tasks/', ''));
  }

  it('should serve the board, ask for the token, and take it from the URL', async () => {
    await page.goto(`${base}/`);
    await page.locator('form.login').waitFor(POLL);
    await page.goto(`${base}/?token=${TOKEN}`);
    await page.locator('form.start').waitFor(POLL);
    expect(new URL(page.url()).searchParams.get('token')).toBeNull();
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await shot(`failed-${ctx.task.name.replace(/\W+/g, '-')}`);
    expect(pageErrors, 'errors thrown in the page').toEqual([]);
  });

  it('should start a task from the form, pause and resume it, steer a session, answer a question, and watch the cards complete', async () => {
    const id = await startFromForm('alpha');
    await expect.poll(() => page.locator('[data-testid=run-goal]').textContent(), POLL).toBe('alpha');
    await expect.poll(() => cardStatus('design'), POLL).toBe('running');
    await expect.poll(() => page.locator('[data-conn]').getAttribute('data-conn'), POLL).toBe('live');
    await shot('1-design-running');

    await page.click('button[data-action=pause]');
    await expect.poll(runStatus, POLL).toBe('paused');
    latches.release('alpha:design');
    await expect.poll(() => cardStatus('design'), POLL).toBe('completed');
    // Paused: what depends on `design` does not start.
    expect(await cardStatus('build')).not.toBe('running');
    expect(await cardStatus('steer')).not.toBe('running');
    await shot('2-paused');

    await page.click('button[data-action=resume]');
    await expect.poll(runStatus, POLL).not.toBe('paused');
    await expect.poll(() => cardStatus('build'), POLL).toBe('running');
    await expect.poll(() => cardStatus('steer'), POLL).toBe('running');
    await expect
      .poll(() => page.locator('[data-testid=log]').textContent(), POLL)
      .toContain('send me a message');
    await expect.poll(() => cardStatus('approve'), POLL).toBe('suspended');
    // The README's picture is refreshed on demand only, so a test run leaves the work tree clean.
    if (process.env.TROUPE_README_SCREENSHOT === '1') await page.screenshot({ path: README_SHOT });
    await shot('3-resumed');

    await card('steer').locator('input[name=message]').fill('hello from the board');
    await card('steer').locator('form[data-form=message] button').click();
    await expect.poll(() => cardStatus('steer'), POLL).toBe('completed');
    await expect
      .poll(() => page.locator('[data-testid=log]').textContent(), POLL)
      .toContain('got: hello from the board');

    await expect.poll(() => cardStatus('approve'), POLL).toBe('suspended');
    await card('approve').locator('input[name=answer]').fill('{"ship": true}');
    await card('approve').locator('form[data-form=answer] button').click();
    await expect.poll(() => cardStatus('approve'), POLL).toBe('completed');

    // Drop the connection and keep it down while `build` finishes: the board reconnects with the
    // last seq it applied and gets what it missed.
    const conn = () => page.locator('[data-conn]').getAttribute('data-conn');
    await page.evaluate(() => {
      const w = window as unknown as HoldableWindow;
      w.__hold = true;
      w.__sockets.at(-1)?.close();
    });
    await expect.poll(conn, POLL).toBe('reconnecting');
    latches.release('alpha:build');
    await expect
      .poll(
        () => server.app.inject({ url: `/api/v1/tasks/${id}`, headers: auth }).then((r) => r.json().status),
        POLL,
      )
      .toBe('completed');
    expect(await cardStatus('build')).toBe('running');
    await page.evaluate(() => {
      (window as unknown as HoldableWindow).__hold = false;
    });
    await expect.poll(() => cardStatus('build'), POLL).toBe('completed');
    const resumedAt = await page.evaluate(
      () => (window as unknown as HoldableWindow).__sockets.at(-1)?.url ?? '',
    );
    expect(Number(new URL(resumedAt).searchParams.get('after'))).toBeGreaterThan(0);
    expect((await page.locator('[data-testid=log]').textContent())?.match(/build done/g)).toHaveLength(1);
    await expect.poll(runStatus, POLL).toBe('completed');
    await expect.poll(() => page.locator('.head .bar .pct').textContent(), POLL).toBe('100%');
    expect(await page.locator('.artifacts li').count()).toBe(2);
    expect(await page.locator('[data-testid=execution]').textContent()).toContain('tool calls2');
    expect(await card('build').textContent()).toContain('scripted-mini');
    // The dag's dependencies (`dependsOn` on its cards) draw the plan graph and the timeline's arrows.
    expect(await page.locator('[data-testid=plan-graph]').getAttribute('data-kind')).toBe('dag');
    expect(await page.locator('[data-testid=plan-graph] .node').count()).toBe(4);
    expect(await page.locator('[data-testid=plan-graph] .edge').count()).toBe(3);
    expect(await page.locator('[data-testid=gantt] .deps line').count()).toBe(3);
    await shot('4-completed');

    const run = await (
      await fetch(`${base}/api/v1/tasks/${encodeURIComponent(id)}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      })
    ).json();
    expect(run.status).toBe('completed');
  }, 120_000);

  it('should cancel another run from its page and list both runs', async () => {
    const id = await startFromForm('beta');
    await expect.poll(() => cardStatus('design'), POLL).toBe('running');
    await page.click('button[data-action=cancel]');
    await expect.poll(() => page.locator('[data-conn]').getAttribute('data-conn'), POLL).toBe('ended');
    await expect.poll(() => cardStatus('design'), POLL).toMatch(/^(cancelled|failed)$/);
    const status = await runStatus();
    expect(status).toBe('cancelled');
    await shot('5-cancelled');

    await page.goto(`${base}/#/`);
    const row = page.locator(`tr[data-run="${id}"]`);
    await expect.poll(() => row.locator('.badge').textContent(), POLL).toBe(status);
    await expect.poll(() => page.locator('tr[data-run]').count(), POLL).toBe(2);
    await shot('6-list');
  }, 120_000);
});
