// A plog for many creators (PLOG_PLATFORM), in a real browser: a creator signs up with the code
// plog mails, connects Stripe through the sandbox's onboarding page, creates a paywall and pastes
// its tag on their blog; a reader buys there, and the PaymentIntent lives on the creator's
// connected account (the widget loads Stripe.js with `stripeAccount`); the creator sees the sale,
// the operator sees the total and the fee, and a second creator sees none of it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Harness, blogPage, paywall, buy, widgetReady, withEvidence, ADMIN_TOKEN, CARDS, SECRET_KEY } from "./lib/harness.mjs";

const CONNECT_SECRET = "whsec_e2e_connect_secret";
let h;
const pages = [];

before(async () => {
  h = await new Harness().start({
    mail: true,
    env: { PLOG_PLATFORM: "true", PLOG_PLATFORM_FEE: "5%", STRIPE_CONNECT_WEBHOOK_SECRET: CONNECT_SECRET },
  });
  // The Connect endpoint, as the operator registers it at Stripe (events of connected accounts).
  const r = await fetch(`${h.stripeUrl}/_config/webhooks/plogconnect`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ url: `${h.plogUrl}/v1/webhooks/stripe-connect`, secret: CONNECT_SECRET, connect: "true" }),
  });
  assert.ok(r.ok, `Connect endpoint registration: ${r.status}`);
});
after(async () => { await h?.close(); });

async function browserPage() {
  const page = await h.newPage({ viewport: { width: 1200, height: 900 }, locale: "en-US" });
  pages.push(page);
  return page;
}

/** The code in the newest mail to `address` (its subject: "123456 is your code for …"). */
async function mailedCode(address, count) {
  for (let i = 0; i < 300; i++) {
    const all = await (await fetch(`${h.mailUrl}/messages`)).json();
    const mine = all.filter((m) => m.rcpt_to.includes(address));
    if (mine.length >= count) return mine[count - 1].headers.subject.split(" ")[0];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no code mailed to ${address}`);
}

/** Signs up (or in) with a mailed code: the creator's dashboard. */
async function signUp(address, codesBefore = 0) {
  const page = await browserPage();
  await page.goto(`${h.plogUrl}/admin`);
  assert.equal(new URL(page.url()).pathname, "/admin/sign-in");
  await page.fill("#email", address);
  await page.click("text=Send me a code");
  await page.locator("h1", { hasText: "Check your mail" }).waitFor();
  await page.fill("#code", await mailedCode(address, codesBefore + 1));
  await page.click("button:has-text('Sign in')");
  await page.waitForURL(`${h.plogUrl}/admin`);
  return page;
}

async function intentsSeenBy(account) {
  const headers = { authorization: `Bearer ${SECRET_KEY}` };
  if (account) headers["stripe-account"] = account;
  const r = await fetch(`${h.stripeUrl}/v1/payment_intents?limit=100`, { headers });
  return (await r.json()).data.map((i) => i.id);
}

test("a creator signs up, connects Stripe, sells on their own account; the operator sees the total, another creator nothing", async () => {
  await withEvidence(h, "platform", () => pages, async () => {
    const address = `creator-${Math.random().toString(36).slice(2, 8)}@blog.example`;
    const creator = await signUp(address);

    // Not connected yet: the Account page says why the paywalls do not sell.
    await creator.click("nav >> text=Account");
    await creator.locator(".error", { hasText: "Connect your Stripe account to sell" }).waitFor();
    await creator.click("button:has-text('Connect Stripe')");
    await creator.waitForURL(/\/_gateway\/connect\/onboarding\//);
    const account = await creator.locator("#account").textContent();
    assert.match(account, /^acct_/);
    await creator.click("#complete");
    await creator.waitForURL(`${h.plogUrl}/admin/account`);
    await creator.locator(".ok", { hasText: "takes card payments" }).waitFor();
    assert.match(await creator.locator(".ok code").textContent(), new RegExp(account));

    // A paywall, through the dashboard's form; its tag on the creator's blog.
    await creator.click("nav >> text=Paywalls");
    await creator.click("text=New paywall");
    const secret = `PAID-PLATFORM-${Math.random().toString(36).slice(2, 8)}`;
    await creator.fill("input[name=title]", "Ramen in Hakodate");
    await creator.fill("input[name=price]", "300");
    await creator.selectOption("select[name=currency]", "jpy");
    await creator.fill("textarea[name=content_markdown]", secret);
    await creator.click("text=Create paywall");
    await creator.waitForURL(/\/admin\/paywalls\/pw_/);
    const id = new URL(creator.url()).pathname.split("/").pop();

    const reader = await browserPage();
    await reader.goto(h.servePage("/hakodate", blogPage({ title: "Hakodate", tags: [h.tag(id)] })));
    await paywall(reader).locator(".buy").waitFor();
    await widgetReady(reader);
    const before = await intentsSeenBy(account);
    await buy(reader, CARDS.ok);
    const content = reader.locator(`plog-content[data-paywall="${id}"]`);
    await content.waitFor({ timeout: 15000 });
    assert.match(await content.textContent(), new RegExp(secret));
    assert.deepEqual(reader.consoleErrors, []);

    // The intent lives on the creator's account, not the platform's.
    const made = (await intentsSeenBy(account)).filter((i) => !before.includes(i));
    assert.equal(made.length, 1, "one PaymentIntent on the creator's account");
    assert.ok(!(await intentsSeenBy(null)).includes(made[0]), "none on the platform's own account");

    // The creator's Sales show it; the operator's view shows the creator's takings and the fee.
    await creator.click("nav >> text=Sales");
    await creator.locator("td", { hasText: "Ramen in Hakodate" }).first().waitFor();
    const operator = await browserPage();
    await operator.goto(`${h.plogUrl}/admin/sign-in`);
    await operator.fill("#token", ADMIN_TOKEN);
    await operator.click("button:has-text('Sign in')");
    await operator.waitForURL(`${h.plogUrl}/admin`);
    await operator.goto(`${h.plogUrl}/admin/creators`);
    const row = operator.locator("tr", { hasText: address });
    await row.waitFor();
    const text = await row.textContent();
    // Takings ¥300 and the 5 % fee, ¥15 (the page writes amounts in the reader's locale).
    assert.equal(await row.locator('[data-money="300"][data-currency="JPY"]').count(), 1, text);
    assert.equal(await row.locator('[data-money="15"][data-currency="JPY"]').count(), 1, text);
    assert.ok(text.includes(account), text);

    // A second creator sees none of it.
    const other = await signUp(`other-${Math.random().toString(36).slice(2, 8)}@blog.example`);
    for (const path of ["/admin", "/admin/paywalls", "/admin/sales", "/admin/offers"]) {
      await other.goto(`${h.plogUrl}${path}`);
      const html = await other.content();
      assert.ok(!html.includes("Ramen in Hakodate") && !html.includes(id), `${path} shows another creator's`);
    }
    const response = await other.goto(`${h.plogUrl}/admin/paywalls/${id}`);
    assert.equal(response.status(), 404);
  });
});
