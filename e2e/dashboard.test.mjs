// The creator's dashboard in a real browser: sign in with the admin token, create a paywall
// with the form (and its live Markdown preview), copy the tag, try a theme on the widget
// preview, see the paywall in the list; a reader buys through that very tag on a blog; the
// sale shows in Sales, today's bar in the revenue chart, the view and the sale in the
// conversion, and the CSV export holds it. The overview's screenshot is the README's.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Harness, blogPage, paywall, fillCard, screenshot, withEvidence, ADMIN_TOKEN, CARDS } from "./lib/harness.mjs";

let h;
const pages = [];
before(async () => { h = await new Harness().start(); });
after(async () => { await h?.close(); });

async function creatorPage() {
  const context = await h.browser.newContext({ viewport: { width: 1200, height: 900 }, colorScheme: "light", locale: "en-US", acceptDownloads: true });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: h.plogUrl });
  const page = await context.newPage();
  page.consoleErrors = [];
  page.on("console", (m) => { if (m.type() === "error") page.consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => page.consoleErrors.push(String(e)));
  page.on("dialog", (d) => d.accept());
  pages.push(page);
  return page;
}

test("a creator signs in, creates a paywall and copies its tag; a reader buys; the sale, the chart and the CSV show it", async () => {
  await withEvidence(h, "dashboard", () => pages, async () => {
    const page = await creatorPage();
    await page.goto(`${h.plogUrl}/admin`);
    assert.equal(new URL(page.url()).pathname, "/admin/sign-in", "signed out: the sign-in page");
    await page.fill("#token", "not the token");
    await page.click("button[type=submit]");
    await page.locator(".error").filter({ hasText: "not an admin token" }).waitFor();
    await page.fill("#token", ADMIN_TOKEN);
    await page.click("button[type=submit]");
    await page.waitForURL(`${h.plogUrl}/admin`);
    page.consoleErrors.length = 0; // the refused sign-in's 401 was the point
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === "plog_session");
    assert.ok(session, JSON.stringify(cookies));
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, "Strict");
    assert.equal(await page.evaluate(() => document.cookie), "", "no script can read the session");

    // Create a paywall through the form; the preview follows the Markdown as it is typed.
    await page.click("nav >> text=Paywalls");
    await page.click("text=New paywall");
    const secret = `PAID-DASHBOARD-${Math.random().toString(36).slice(2, 8)}`;
    await page.fill("input[name=title]", "Where to eat ramen in Sapporo");
    await page.fill("textarea[name=teaser]", "Twelve shops, tried one by one.");
    await page.fill("input[name=price]", "300");
    await page.selectOption("select[name=currency]", "jpy");
    await page.fill("textarea[name=content_markdown]", `## The list\n\n${secret}\n\n<script>window.__pwned = 1</script>`);
    await page.locator("#content-preview h2").filter({ hasText: "The list" }).waitFor();
    assert.equal(await page.locator("#content-preview script").count(), 0, "the preview is the sanitized HTML");
    await page.click("text=Create paywall");
    await page.waitForURL(/\/admin\/paywalls\/pw_/);
    const id = new URL(page.url()).pathname.split("/").pop();

    // The tag, copied with the button, is the one to paste.
    const tag = (await page.locator("#tag-text").textContent()).trim();
    assert.equal(tag, `<script src="${h.plogUrl}/plog.js" data-paywall="${id}" async></script>`);
    await page.click("button[data-copy=tag-text]");
    await page.locator(".copied").filter({ hasText: "Copied" }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), tag);

    // The widget preview, as readers see it, takes the theme variables the creator tries.
    const preview = page.locator("#widget-preview plog-paywall");
    await preview.locator(".buy").waitFor();
    assert.equal(await preview.locator(".title").textContent(), "Where to eat ramen in Sapporo");
    await page.locator("input[data-theme-var='--plog-accent']").fill("#0f766e");
    const accent = await preview.locator(".buy").evaluate((b) => getComputedStyle(b).backgroundColor);
    assert.equal(accent, "rgb(15, 118, 110)");
    assert.match(await page.locator("#theme-css").textContent(), /--plog-accent: #0f766e;/);
    await screenshot(page, "dashboard-paywall");

    await page.click("nav >> text=Paywalls");
    await page.locator(`tr[data-paywall="${id}"]`).filter({ hasText: "Where to eat ramen in Sapporo" }).waitFor();
    assert.match(await page.locator(`tr[data-paywall="${id}"]`).textContent(), /¥300/, "yen without decimals, in the creator's locale");

    // A reader buys through the copied tag on a blog.
    const reader = await h.newPage();
    pages.push(reader);
    await reader.goto(h.servePage("/ramen", blogPage({ title: "Ramen", tags: [tag] })));
    await paywall(reader).locator(".buy").click();
    await paywall(reader).locator("input[name=cardnumber]").waitFor();
    await fillCard(reader, CARDS.ok);
    await paywall(reader).locator(".pay").click();
    await reader.locator("plog-content").filter({ hasText: secret }).waitFor({ timeout: 15000 });
    assert.equal(await reader.evaluate(() => window.__pwned), undefined);

    // The sale in Sales, as soon as the webhook has landed.
    await page.click("nav >> text=Sales");
    for (let i = 0; i < 50 && (await page.locator("tr[data-status=paid]").count()) === 0; i++) {
      await page.waitForTimeout(200);
      await page.reload();
    }
    const row = page.locator("tr[data-status=paid]");
    assert.equal(await row.count(), 1);
    assert.match(await row.textContent(), /Where to eat ramen in Sapporo/);
    assert.match(await row.textContent(), /¥300/);

    // The CSV export holds it.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("text=Export CSV")]);
    const csv = readFileSync(await download.path(), "utf8");
    assert.match(download.suggestedFilename(), /^plog-sales-\d{4}-\d{2}-\d{2}\.csv$/);
    assert.match(csv, /^created_at,paid_at,purchase_id,paywall_id,paywall_title,status,mode,amount,currency,amount_minor,payment_intent_id,refunded_minor,dispute_status,receipt\n/);
    assert.match(csv, new RegExp(`,${id},Where to eat ramen in Sapporo,paid,fixed,300,JPY,300,pi_`));

    // The overview: a bar for today, the reader's view (not the preview's) and the sale.
    await page.click("nav >> text=Overview");
    const today = new Date().toISOString().slice(0, 10);
    const bar = page.locator(`rect.bar[data-day="${today}"]`);
    assert.equal(await bar.count(), 1);
    assert.ok(Number(await bar.getAttribute("height")) > 100, "the only day with sales fills the chart");
    assert.equal(await bar.getAttribute("data-amount"), "300");
    assert.equal(await page.locator(".chart svg text.axis").first().textContent(), "max ¥300", "the chart's amounts in the locale too");
    assert.match(await page.locator(".funnel svg").getAttribute("aria-label"), /^1 views, 1 purchases started, 1 paid$/);
    await screenshot(page, "dashboard-overview");
    assert.deepEqual(page.consoleErrors, [], "no errors in the dashboard's console (CSP included)");

    // Signing out closes the dashboard.
    await page.click("text=Sign out");
    await page.waitForURL(`${h.plogUrl}/admin/sign-in`);
    await page.goto(`${h.plogUrl}/admin/sales`);
    assert.equal(new URL(page.url()).pathname, "/admin/sign-in");
  });
});
