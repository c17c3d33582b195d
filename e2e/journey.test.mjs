// The whole mission in a real browser, offline: a reader on a blog (one origin) buys the rest
// of an article through the one tag (plog on another origin), with real WebAssembly, a real
// SQLite file, real localstripe and real signed webhooks. Each scenario checks what the reader
// sees and what the database holds.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Harness, blogPage, paywall, fillCard, screenshot, withEvidence, signedEvent, CARDS, SECRET_KEY, sleep, widgetReady, buy } from "./lib/harness.mjs";

let h;
const pages = [];
before(async () => { h = await new Harness().start(); });
after(async () => { await h?.close(); });

const marker = (n) => `PAID-MARKER-${n}-${Math.random().toString(36).slice(2, 8)}`;

async function article(name, paywalls, attrs = "") {
  const url = h.servePage(`/${name}`, blogPage({ title: name, tags: paywalls.map((p) => h.tag(p.id, attrs)) }));
  const page = await h.newPage();
  pages.push(page);
  await page.goto(url);
  await paywall(page).locator(".buy").waitFor(); await widgetReady(page);
  return { page, url };
}

async function stripeIntents() {
  const r = await fetch(`${h.stripeUrl}/v1/payment_intents?limit=100`, { headers: { authorization: `Bearer ${SECRET_KEY}` } });
  return (await r.json()).data;
}

test("1. card 4242 → the paid content appears in place of the paywall; one paid purchase", async () => {
  await withEvidence(h, "journey-1", () => pages, async () => {
    const secret = marker(1);
    const pw = await h.createPaywall({ markdown: `## The rest\n\n${secret}` });
    const { page } = await article("scenario-1", [pw]);
    await screenshot(page, "journey-1-locked");
    await buy(page, CARDS.ok);
    const content = page.locator(`plog-content[data-paywall="${pw.id}"]`);
    await content.waitFor({ timeout: 15000 });
    assert.match(await content.textContent(), new RegExp(secret));
    assert.equal(await page.locator("plog-paywall").count(), 0, "the paywall is gone");
    // In place: right after the free part, before the footer.
    const order = await page.evaluate(() => Array.from(document.querySelectorAll("article > *")).map((n) => n.tagName.toLowerCase()));
    assert.equal(order[0], "p");
    assert.equal(order[1], "plog-content");
    await screenshot(page, "journey-1-unlocked");
    const purchases = await h.purchases(pw.id);
    assert.deepEqual(purchases.map((p) => p.status), ["paid"]);
  });
});

test("2. a declined card shows the decline inline; retrying with 4242 succeeds; one paid purchase, one charge", async () => {
  await withEvidence(h, "journey-2", () => pages, async () => {
    const secret = marker(2);
    const pw = await h.createPaywall({ markdown: secret });
    const { page } = await article("scenario-2", [pw]);
    await buy(page, CARDS.declined);
    await paywall(page).locator(".error").filter({ hasText: "Your card was declined." }).waitFor();
    assert.equal(await paywall(page).locator(".pay").isEnabled(), true, "the reader can retry");
    assert.equal(await page.locator("plog-content").count(), 0);
    await fillCard(page, CARDS.ok);
    await paywall(page).locator(".pay").click();
    await page.locator("plog-content").waitFor({ timeout: 15000 });
    assert.match(await page.locator("plog-content").textContent(), new RegExp(secret));
    const purchases = await h.purchases(pw.id);
    assert.equal(purchases.filter((p) => p.status === "paid").length, 1, JSON.stringify(purchases));
    const intents = (await stripeIntents()).filter((i) => i.metadata.paywall_id === pw.id);
    assert.equal(intents.filter((i) => i.status === "succeeded").length, 1, "exactly one PaymentIntent charged");
  });
});

test("3a. 3-D Secure: completing authentication unlocks", async () => {
  await withEvidence(h, "journey-3a", () => pages, async () => {
    const pw = await h.createPaywall({ amount: 500, currency: "usd", markdown: marker("3a") });
    const { page } = await article("scenario-3a", [pw]);
    await buy(page, CARDS.threeDS);
    const dialog = page.locator("[data-plog-sandbox-3ds]");
    await dialog.waitFor();
    await dialog.getByText("Complete authentication").click();
    await page.locator("plog-content").waitFor({ timeout: 15000 });
    assert.deepEqual((await h.purchases(pw.id)).map((p) => p.status), ["paid"]);
  });
});

test("3b. 3-D Secure: failing authentication shows an error and keeps the content locked", async () => {
  await withEvidence(h, "journey-3b", () => pages, async () => {
    const secret = marker("3b");
    const pw = await h.createPaywall({ amount: 500, currency: "usd", markdown: secret });
    const { page } = await article("scenario-3b", [pw]);
    await buy(page, CARDS.threeDS);
    await page.locator("[data-plog-sandbox-3ds]").getByText("Fail authentication").click();
    await paywall(page).locator(".error").filter({ hasText: "unable to authenticate" }).waitFor();
    // Settled, not timed: Stripe holds the intent as unpaid again, and plog's content route
    // refuses the very token the widget holds for this purchase (the widget cannot open it later).
    const deadline = Date.now() + 15000;
    let intent;
    while ((intent = (await stripeIntents()).find((i) => i.metadata.paywall_id === pw.id))?.status !== "requires_payment_method") {
      assert.ok(Date.now() < deadline, `the intent stayed ${intent?.status}`);
      await sleep(100);
    }
    const tokens = await page.evaluate((id) => Object.entries(localStorage).filter(([k]) => k.startsWith("plog:token:") && k.endsWith(`:${id}`)).flatMap(([, v]) => v.split(" ")), pw.id);
    assert.equal(tokens.length, 1, "the purchase's token is held for a retry");
    const refused = await fetch(`${h.plogUrl}/v1/paywalls/${pw.id}/content`, { headers: { authorization: `Bearer ${tokens[0]}` } });
    assert.equal(refused.status, 402);
    assert.equal(await paywall(page).locator(".pay").isEnabled(), true, "the reader can retry");
    assert.equal(await page.locator("plog-content").count(), 0);
    assert.ok(!(await page.content()).includes(secret));
    assert.notEqual((await h.purchases(pw.id))[0].status, "paid");
  });
});

test("4. after paying, a reload shows the content at once: no payment UI, no Stripe.js", async () => {
  await withEvidence(h, "journey-4", () => pages, async () => {
    const secret = marker(4);
    const pw = await h.createPaywall({ markdown: secret });
    const { page, url } = await article("scenario-4", [pw]);
    await buy(page, CARDS.ok);
    await page.locator("plog-content").waitFor({ timeout: 15000 });
    page.requests.length = 0;
    // Records, from the first byte of the reload, whether a paywall's Buy ever reached the page.
    await page.addInitScript(() => {
      // Every animation frame until the content is in (a shadow root's changes reach no
      // MutationObserver on the document, so each frame is looked at).
      window.plogSawBuy = false;
      const look = () => {
        for (const host of document.querySelectorAll("plog-paywall")) {
          if (host.shadowRoot?.querySelector(".buy")) window.plogSawBuy = true;
        }
        if (!document.querySelector("plog-content")) requestAnimationFrame(look);
      };
      requestAnimationFrame(look);
    });
    await page.goto(url);
    await page.locator("plog-content").waitFor({ timeout: 10000 });
    assert.equal(await page.evaluate(() => window.plogSawBuy), false, "no Buy was shown, not even for a moment");
    assert.match(await page.locator("plog-content").textContent(), new RegExp(secret));
    assert.equal(await page.locator("plog-paywall").count(), 0);
    assert.equal(page.requests.filter((u) => u.includes("stripe")).length, 0, "Stripe.js not loaded");
    assert.equal(page.requests.filter((u) => /\/v1\/paywalls\/[^/]+$/.test(u)).length, 0, "not even the paywall info");
  });
});

test("5. two paywalls on one page: buying one leaves the other locked", async () => {
  await withEvidence(h, "journey-5", () => pages, async () => {
    const first = await h.createPaywall({ title: "First", markdown: marker("5a") });
    const secondSecret = marker("5b");
    const second = await h.createPaywall({ title: "Second", amount: 200, markdown: secondSecret });
    const { page } = await article("scenario-5", [first, second]);
    await paywall(page, 1).locator(".buy").waitFor(); await widgetReady(page);
    await buy(page, CARDS.ok, 0);
    await page.locator(`plog-content[data-paywall="${first.id}"]`).waitFor({ timeout: 15000 });
    assert.equal(await page.locator("plog-paywall").count(), 1);
    assert.equal(await paywall(page, 0).locator(".title").textContent(), "Second");
    assert.equal(await paywall(page, 0).locator(".buy").isVisible(), true);
    assert.ok(!(await page.content()).includes(secondSecret));
    assert.equal((await h.purchases(second.id)).length, 0);
  });
});

test("6. before payment neither the page nor any response the browser received holds the paid text", async () => {
  await withEvidence(h, "journey-6", () => pages, async () => {
    const secret = marker(6);
    const pw = await h.createPaywall({ markdown: secret });
    const { page } = await article("scenario-6", [pw]);
    await paywall(page).locator(".buy").click();
    await paywall(page).locator("input[name=cardnumber]").waitFor();
    await fillCard(page, CARDS.declined);
    await paywall(page).locator(".pay").click();
    await paywall(page).locator(".error").filter({ hasText: "declined" }).waitFor();
    for (const response of page.responses) {
      const body = await response.body().catch(() => Buffer.alloc(0));
      assert.ok(!body.toString("utf8").includes(secret), `${response.url()} leaked the paid text`);
    }
    assert.ok(!(await page.content()).includes(secret));
    const shadow = await page.evaluate(() => Array.from(document.querySelectorAll("plog-paywall")).map((h) => h.shadowRoot.innerHTML).join(""));
    assert.ok(!shadow.includes(secret));
    assert.ok(page.responses.length > 5, "the check saw the traffic");
  });
});

test("7. with webhook delivery off, the content still unlocks (the API re-reads the PaymentIntent)", async () => {
  await withEvidence(h, "journey-7", () => pages, async () => {
    const secret = marker(7);
    const pw = await h.createPaywall({ markdown: secret });
    // Point localstripe's webhook at a closed port: no event reaches plog.
    await fetch(`${h.stripeUrl}/_config/webhooks/plog`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ url: "http://127.0.0.1:9/nowhere", secret: "whsec_unused" }),
    });
    try {
      const { page } = await article("scenario-7", [pw]);
      await buy(page, CARDS.ok);
      await page.locator("plog-content").waitFor({ timeout: 15000 });
      assert.match(await page.locator("plog-content").textContent(), new RegExp(secret));
      assert.deepEqual((await h.purchases(pw.id)).map((p) => p.status), ["paid"]);
    } finally {
      await h.enableWebhooks();
    }
  });
});

test("8. with plog stopped, the widget shows its unavailable message and the page is intact", async () => {
  await withEvidence(h, "journey-8", () => pages, async () => {
    const pw = await h.createPaywall({ markdown: marker(8) });
    const { page } = await article("scenario-8", [pw]);
    const second = h.servePage("/scenario-8-later", blogPage({ title: "Later", tags: [h.tag(pw.id)] }));
    await h.stopPlog();
    try {
      // The loader and the widget come from the browser cache; the API does not answer.
      await page.goto(second);
      const message = paywall(page).locator(".message");
      await message.waitFor({ state: "visible", timeout: 10000 });
      assert.match(await message.textContent(), /not available right now/);
      assert.equal(await page.locator("#free-part").isVisible(), true);
      assert.equal(await page.locator("#blog-footer").isVisible(), true);
      await screenshot(page, "journey-8-unavailable");
      // A fresh visitor with nothing cached: no widget at all, the page still reads fine.
      const fresh = await h.newPage();
      pages.push(fresh);
      // goto waits for the load event, which follows the failed async loader.
      await fresh.goto(second);
      assert.ok(fresh.requests.some((u) => u.endsWith("/plog.js")), "the tag asked for the loader");
      assert.equal(await fresh.locator("plog-paywall").count(), 0);
      assert.equal(await fresh.locator("#free-part").isVisible(), true);
      assert.equal(await fresh.locator("#blog-footer").isVisible(), true);
    } finally {
      await h.startPlog();
    }
  });
});

test("9. keyboard only: the whole purchase with Tab, Enter and typing", async () => {
  await withEvidence(h, "journey-9", () => pages, async () => {
    const secret = marker(9);
    const pw = await h.createPaywall({ markdown: secret });
    const { page } = await article("scenario-9", [pw]);
    // Tab from the top of the page until the Buy button has focus.
    let focused = "";
    for (let i = 0; i < 10 && focused !== "buy"; i++) {
      await page.keyboard.press("Tab");
      focused = await page.evaluate(() => document.querySelector("plog-paywall")?.shadowRoot?.activeElement?.className ?? "");
    }
    assert.equal(focused, "buy", "Buy is reachable by Tab");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.activeElement?.getAttribute("name") === "cardnumber", null, { timeout: 10000 });
    await page.keyboard.type(CARDS.ok);
    await page.keyboard.press("Tab");
    await page.keyboard.type("1234");
    await page.keyboard.press("Tab");
    await page.keyboard.type("123");
    await page.keyboard.press("Tab");
    const onPay = await page.evaluate(() => document.querySelector("plog-paywall").shadowRoot.activeElement?.className);
    assert.equal(onPay, "pay", "Tab leads from the card to Pay");
    await page.keyboard.press("Enter");
    await page.locator("plog-content").waitFor({ timeout: 15000 });
    assert.match(await page.locator("plog-content").textContent(), new RegExp(secret));
  });
});

test("10. a refund sent as Stripe would send it locks the content again on reload", async () => {
  await withEvidence(h, "journey-10", () => pages, async () => {
    const secret = marker(10);
    const pw = await h.createPaywall({ markdown: secret });
    const { page, url } = await article("scenario-10", [pw]);
    await buy(page, CARDS.ok);
    await page.locator("plog-content").waitFor({ timeout: 15000 });
    const [purchase] = await h.purchases(pw.id);
    // localstripe refunds silently (no charge.* events): refund there, then deliver the event.
    await fetch(`${h.stripeUrl}/v1/refunds`, {
      method: "POST",
      headers: { authorization: `Bearer ${SECRET_KEY}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ payment_intent: purchase.payment_intent_id }),
    });
    const { body, signature } = await signedEvent({
      id: `evt_refund_${Date.now()}`, object: "event", type: "charge.refunded", created: Math.floor(Date.now() / 1000),
      data: { object: { id: "ch_x", object: "charge", payment_intent: purchase.payment_intent_id, amount: 100, amount_refunded: 100, refunded: true, currency: "jpy" } },
    });
    const r = await fetch(`${h.plogUrl}/v1/webhooks/stripe`, { method: "POST", headers: { "stripe-signature": signature, "content-type": "application/json" }, body });
    assert.equal(r.status, 200);
    await page.goto(url);
    await paywall(page).locator(".buy").waitFor({ timeout: 10000 });
    assert.equal(await page.locator("plog-content").count(), 0);
    assert.ok(!(await page.content()).includes(secret));
    assert.deepEqual((await h.purchases(pw.id)).map((p) => p.status), ["refunded"]);
    const held = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("plog:token:")));
    assert.deepEqual(held, [], "the dead token was dropped");
  });
});

test("11. a tip of ¥500 with card 4242: the creator's thank-you shows and one paid tip is recorded", async () => {
  await withEvidence(h, "journey-11", () => pages, async () => {
    const pw = await h.createPaywall({ title: "Enjoyed it? Send a tip", amount: 100, markdown: "THANKS-FOR-THE-TIP", mode: "tip", show_count: true });
    const { page, url } = await article("scenario-11", [pw]);
    const jar = paywall(page);
    assert.match(await jar.locator(".buy").textContent(), /tip/i);
    assert.deepEqual(await jar.locator(".chip").allTextContents(), ["¥100", "¥500", "¥1,000"]);
    assert.match(await jar.locator(".tips-count").textContent(), /0 tips/);
    await jar.locator(".chip", { hasText: "¥500" }).click();
    assert.equal(await jar.locator(".chip", { hasText: "¥500" }).getAttribute("aria-pressed"), "true");
    await buy(page, CARDS.ok);
    await page.locator("plog-content").waitFor({ timeout: 15000 });
    assert.match(await page.locator("plog-content").textContent(), /THANKS-FOR-THE-TIP/);
    await screenshot(page, "journey-11-thanks");
    const tips = await h.purchases(pw.id);
    assert.deepEqual(tips.map((t) => [t.status, t.price.amount, t.mode]), [["paid", 500, "tip"]]);
    // A tip jar stays a tip jar on the next visit, now with the count.
    await page.goto(url);
    await paywall(page).locator(".buy").waitFor(); await widgetReady(page);
    assert.match(await paywall(page).locator(".tips-count").textContent(), /1 tips/);
  });
});

test("12. pay what you want: a typed amount above the minimum unlocks, and is what is charged", async () => {
  await withEvidence(h, "journey-12", () => pages, async () => {
    const secret = marker(12);
    const pw = await h.createPaywall({ amount: 300, markdown: secret, mode: "pay_what_you_want", suggested_amount: 500 });
    const { page } = await article("scenario-12", [pw]);
    const wall = paywall(page);
    assert.match(await wall.locator(".price").textContent(), /¥300/);
    // Full-width digits and a grouping comma, as a Japanese keyboard might type them.
    await wall.locator("input[part=amount-input]").fill("１，２００");
    assert.equal(await wall.locator(".amount-error").textContent(), "");
    await wall.locator(".buy").click();
    await wall.locator("input[name=cardnumber]").waitFor();
    assert.match(await wall.locator(".pay").textContent(), /¥1,200/);
    await fillCard(page, CARDS.ok);
    await wall.locator(".pay").click();
    await page.locator("plog-content").waitFor({ timeout: 15000 });
    assert.match(await page.locator("plog-content").textContent(), new RegExp(secret));
    const [purchase] = await h.purchases(pw.id);
    assert.deepEqual([purchase.status, purchase.price.amount], ["paid", 1200]);
  });
});

test("13. pay what you want: below the minimum or fractional yen is refused before any PaymentIntent", async () => {
  await withEvidence(h, "journey-13", () => pages, async () => {
    const pw = await h.createPaywall({ amount: 300, markdown: "never", mode: "pay_what_you_want" });
    const { page } = await article("scenario-13", [pw]);
    const wall = paywall(page);
    const input = wall.locator("input[part=amount-input]");
    await input.fill("1.5");
    assert.match(await wall.locator(".amount-error").textContent(), /decimals/);
    await input.fill("200");
    assert.match(await wall.locator(".amount-error").textContent(), /minimum is ¥300/);
    await wall.locator(".buy").click();
    await page.waitForTimeout(300);
    assert.equal(await wall.locator("input[name=cardnumber]").count(), 0, "no card form");
    assert.equal(page.requests.filter((u) => u.includes("/purchases")).length, 0, "no purchase request");
    assert.equal((await h.purchases(pw.id)).length, 0);
    assert.equal((await stripeIntents()).filter((i) => i.metadata?.paywall_id === pw.id).length, 0);
    // In Japanese the message is Japanese.
    const ja = await article("scenario-13-ja", [pw], 'data-lang="ja"');
    await paywall(ja.page).locator("input[part=amount-input]").fill("200");
    assert.match(await paywall(ja.page).locator(".amount-error").textContent(), /以上で入力してください/);
  });
});

test("14. the first confirm succeeds at Stripe but its answer is lost; Pay again → one succeeded PaymentIntent, one paid purchase, content shown", async () => {
  await withEvidence(h, "journey-14", () => pages, async () => {
    const secret = marker(14);
    const pw = await h.createPaywall({ markdown: secret });
    const { page } = await article("scenario-14", [pw]);
    // The first confirm reaches Stripe (the sandbox confirms the intent in localstripe), then
    // the connection drops before the answer arrives.
    let confirms = 0;
    await page.route("**/sandbox/confirm", async (route) => {
      confirms += 1;
      if (confirms > 1) return route.continue();
      const response = await route.fetch();
      assert.equal(response.status(), 200);
      await route.abort("connectionfailed");
    });
    await buy(page, CARDS.ok);
    await paywall(page).locator(".error").filter({ hasText: "Could not reach" }).waitFor();
    assert.equal(await page.locator("plog-content").count(), 0);
    assert.equal(await paywall(page).locator(".pay").isEnabled(), true, "the reader can press Pay again");
    // Pay again: Stripe answers payment_intent_unexpected_state with the intent, which succeeded.
    await paywall(page).locator(".pay").click();
    await page.locator("plog-content").waitFor({ timeout: 15000 });
    assert.match(await page.locator("plog-content").textContent(), new RegExp(secret));
    assert.equal(confirms, 2);
    const purchases = await h.purchases(pw.id);
    assert.deepEqual(purchases.map((p) => p.status), ["paid"], "one purchase, paid: no fresh purchase was started");
    const intents = (await stripeIntents()).filter((i) => i.metadata.paywall_id === pw.id);
    assert.equal(intents.length, 1, "one PaymentIntent");
    assert.equal(intents[0].status, "succeeded");
  });
});

test("15. Stripe.js throwing from confirmCardPayment leaves a form the reader can retry from", async () => {
  await withEvidence(h, "journey-15", () => pages, async () => {
    const secret = marker(15);
    const pw = await h.createPaywall({ markdown: secret });
    const { page } = await article("scenario-15", [pw]);
    await paywall(page).locator(".buy").click();
    await paywall(page).locator("input[name=cardnumber]").waitFor();
    // Stripe.js reports misuse by throwing an IntegrationError, not by rejecting.
    await page.evaluate(() => {
      const original = window.Stripe.prototype.confirmCardPayment;
      window.Stripe.prototype.confirmCardPayment = function (...args) {
        window.Stripe.prototype.confirmCardPayment = original;
        const error = new Error("Invalid value for confirmCardPayment: the integration is broken.");
        error.name = "IntegrationError";
        throw error;
      };
    });
    await fillCard(page, CARDS.ok);
    await paywall(page).locator(".pay").click();
    await paywall(page).locator(".error").filter({ hasText: "The payment did not go through." }).waitFor();
    assert.equal(await paywall(page).locator(".pay").isEnabled(), true, "never a stuck form");
    assert.equal(page.consoleErrors.filter((e) => /unreachable|RuntimeError/.test(e)).length, 0, page.consoleErrors.join("\n"));
    await paywall(page).locator(".pay").click();
    await page.locator("plog-content").waitFor({ timeout: 15000 });
    assert.deepEqual((await h.purchases(pw.id)).map((p) => p.status), ["paid"]);
  });
});

test("16. Stripe.js speaks the widget's language, and the card Element is destroyed when the form closes", async () => {
  await withEvidence(h, "journey-16", () => pages, async () => {
    const pw = await h.createPaywall({ markdown: "never" });
    const { page } = await article("scenario-16", [pw], 'data-lang="ja"');
    const wall = paywall(page);
    await wall.locator(".buy").click();
    await wall.locator("input[name=cardnumber]").waitFor();
    assert.equal(await page.locator("[data-plog-sandbox-card]").getAttribute("data-locale"), "ja");
    await wall.locator("input[name=cardnumber]").fill("4242");
    await wall.locator("input[name=cardnumber]").blur();
    await wall.locator(".error").filter({ hasText: "カード番号が不完全です。" }).waitFor();
    await wall.locator(".secondary").click();
    await wall.locator(".buy").waitFor();
    assert.equal(await page.locator("[data-plog-sandbox-card]").count(), 0, "the card inputs are gone");
    assert.equal(await page.evaluate(() => window.Stripe.destroyedElements()), 1, "destroyed, not only unmounted");
    // Buy again: a new Element.
    await wall.locator(".buy").click();
    await wall.locator("input[name=cardnumber]").waitFor();
    assert.equal(await page.locator("[data-plog-sandbox-card]").count(), 1);
  });
});
