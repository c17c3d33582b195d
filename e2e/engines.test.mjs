// The journeys that matter to a reader, in the three engines readers use: Chromium, Firefox ESR
// and WebKitGTK (Safari's engine), each from Debian's packages (e2e/lib/engines.mjs). Buy,
// decline, 3-D Secure (passed and failed), returning, restore, pass, gift, tip, a wallet and the
// article page: the same journey, the same checks, in each engine; a failure in one engine is a
// failure.
//
// The rest of the browser tests (layout, themes, CSP, screenshots, the dashboard) run in
// Chromium through Playwright; the takeover, the card form and the paid part are what differ
// between engines, and they are all here.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Harness, blogPage, CARDS, OUTPUT } from "./lib/harness.mjs";
import { ENGINES, enginesToRun, run, until } from "./lib/engines.mjs";

let h;
before(async () => { h = await new Harness().start({ mail: true }); });
after(async () => { await h?.close(); });

const marker = (n) => `PAID-MARKER-${n}-${Math.random().toString(36).slice(2, 8)}`;
const address = (tag) => `${tag}-${Math.random().toString(36).slice(2, 10)}@reader.test`;

/** The page's paid parts: `[paywall id, text]` of each `plog-content`. */
const contents = (reader) =>
  run(reader, () => [...document.querySelectorAll("plog-content")].map((c) => [c.dataset.paywall, c.textContent]));

/** Waits until the widget has taken over every paywall of the page (only the widget mounts the
 * card Element's light-DOM mount point) and the first shows its Buy. */
const ready = (reader) => until(reader, "the widget's takeover", () =>
  document.querySelectorAll("plog-paywall").length > 0 &&
  [...document.querySelectorAll("plog-paywall")].every((h) => h.querySelector("plog-card")) && find(0, ".buy"));

/** Waits until the paid part of `paywallId` is in the page; its text. */
const opened = (reader, paywallId) => until(reader, `the paid part of ${paywallId}`,
  (id) => document.querySelector(`plog-content[data-paywall="${id}"]`)?.textContent, paywallId);

/** Clicks `selector` of paywall `index` once it is there. */
async function click(reader, selector, index = 0) {
  await until(reader, `${selector} of paywall ${index}`, (i, s) => { const e = find(i, s); if (e) e.click(); return !!e; }, index, selector);
}

/** Types `text` into the field `selector` of paywall `index` once it is there. */
async function fill(reader, selector, text, index = 0) {
  await until(reader, `${selector} of paywall ${index}`, (i, s, t) => { const e = find(i, s); if (e) type(e, t); return !!e; }, index, selector, text);
}

/** The card into the card Element of paywall `index`, then Pay. */
async function payWith(reader, card, index = 0) {
  await fill(reader, "input[name=cardnumber]", card, index);
  await fill(reader, "input[name=exp-date]", "12 / 34", index);
  await fill(reader, "input[name=cvc]", "123", index);
  await click(reader, ".pay", index);
}

/** Answers the sandbox's 3-D Secure step with the button `label` once it shows. */
const authenticate = (reader, label) => until(reader, "the 3-D Secure step", (text) => {
  const button = [...document.querySelectorAll("[data-plog-sandbox-3ds] button")].find((b) => b.textContent === text);
  button?.click();
  return !!button;
}, label);

/** The error line of paywall `index`, once it says something matching `pattern`. */
const errorSaying = (reader, pattern, index = 0) => until(reader, `an error matching ${pattern}`,
  (i, source) => [...(document.querySelectorAll("plog-paywall")[i]?.shadowRoot?.querySelectorAll(".error") || [])]
    .map((e) => e.textContent).find((t) => new RegExp(source).test(t)), index, pattern.source);

/** The PaymentIntents localstripe holds for the paywall, newest first. */
async function stripeIntents(paywallId) {
  const r = await fetch(`${h.stripeUrl}/v1/payment_intents?limit=100`, { headers: { authorization: "Bearer sk_test_e2e" } });
  return (await r.json()).data.filter((i) => i.metadata.paywall_id === paywallId);
}
const stripeIntent = async (paywallId) => (await stripeIntents(paywallId))[0];

/** Polls `check` in this process (the server's side) up to 15 s until it returns truthy. */
async function eventually(what, check) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const key of enginesToRun()) {
  describe(ENGINES[key].name, () => {
    let engine;
    const readers = [];
    before(async () => { engine = await ENGINES[key].launch(); });
    after(async () => {
      for (const reader of readers) await reader.close().catch(() => {});
      await engine?.close();
    });

    /** A fresh profile on `url`, with the widget ready (unless `wait` is false). */
    async function reader(url, { wait = true } = {}) {
      const r = await engine.newReader();
      readers.push(r);
      await r.goto(url);
      if (wait) await ready(r);
      return r;
    }

    /** A page of the blog with the paywalls' tags; its address. */
    const article = (name, paywalls) =>
      h.servePage(`/${key}-${name}`, blogPage({ title: name, tags: paywalls.map((p) => h.tag(p.id)) }));

    /** Runs a journey; on failure keeps a screenshot of each reader it opened and plog's log. */
    function journey(name, body) {
      test(`${ENGINES[key].name}: ${name}`, async () => {
        const before = readers.length;
        try {
          await body();
          for (const r of readers.slice(before)) assert.deepEqual(r.errors, [], "no uncaught error in the page");
        } catch (error) {
          mkdirSync(OUTPUT, { recursive: true });
          const slug = `${key}-${name.replace(/\W+/g, "-").slice(0, 40)}`;
          for (const [i, r] of readers.slice(before).entries()) await r.screenshot(join(OUTPUT, `${slug}-${i}.png`)).catch(() => {});
          const { writeFileSync } = await import("node:fs");
          writeFileSync(join(OUTPUT, `${slug}.log`), h.logs());
          throw error;
        } finally {
          for (const r of readers.splice(before)) await r.close().catch(() => {});
        }
      });
    }

    journey("buy with 4242: the paid part replaces the paywall, in place; one paid purchase", async () => {
      const secret = marker("buy");
      const pw = await h.createPaywall({ markdown: `## The rest\n\n${secret}` });
      const r = await reader(article("buy", [pw]));
      assert.equal(await contents(r).then((c) => c.length), 0);
      await click(r, ".buy");
      await payWith(r, CARDS.ok);
      assert.match(await opened(r, pw.id), new RegExp(secret));
      const order = await run(r, () => [...document.querySelectorAll("article > *")].map((n) => n.tagName.toLowerCase()));
      assert.deepEqual(order.slice(0, 2), ["p", "plog-content"], "in place of the paywall");
      assert.equal(await run(r, () => document.querySelectorAll("plog-paywall").length), 0);
      assert.deepEqual((await h.purchases(pw.id)).map((p) => p.status), ["paid"]);
    });

    journey("a declined card says so inline; 4242 then succeeds: one paid purchase, one charge", async () => {
      const secret = marker("decline");
      const pw = await h.createPaywall({ markdown: secret });
      const r = await reader(article("decline", [pw]));
      await click(r, ".buy");
      await payWith(r, CARDS.declined);
      await errorSaying(r, /Your card was declined\./);
      assert.equal(await run(r, () => find(0, ".pay").disabled), false, "the reader can retry");
      assert.deepEqual(await contents(r), []);
      await payWith(r, CARDS.ok);
      assert.match(await opened(r, pw.id), new RegExp(secret));
      assert.equal((await h.purchases(pw.id)).filter((p) => p.status === "paid").length, 1, "one paid purchase");
      assert.equal((await stripeIntents(pw.id)).filter((i) => i.status === "succeeded").length, 1, "one charge");
    });

    journey("3-D Secure passed: the authentication step, then the paid part", async () => {
      const secret = marker("3ds");
      const pw = await h.createPaywall({ amount: 500, currency: "usd", markdown: secret });
      const r = await reader(article("3ds", [pw]));
      await click(r, ".buy");
      await payWith(r, CARDS.threeDS);
      await authenticate(r, "Complete authentication");
      assert.match(await opened(r, pw.id), new RegExp(secret));
      assert.deepEqual((await h.purchases(pw.id)).map((p) => p.status), ["paid"]);
    });

    journey("3-D Secure failed: an error, the content stays locked and the server refuses the reader's token", async () => {
      const secret = marker("3ds-fail");
      const pw = await h.createPaywall({ amount: 500, currency: "usd", markdown: secret });
      const r = await reader(article("3ds-fail", [pw]));
      await click(r, ".buy");
      await payWith(r, CARDS.threeDS);
      await authenticate(r, "Fail authentication");
      await errorSaying(r, /unable to authenticate/);
      await eventually("the intent to need a payment method again", async () => (await stripeIntent(pw.id))?.status === "requires_payment_method");
      const tokens = await run(r, (id) => Object.entries(localStorage)
        .filter(([k]) => k.startsWith("plog:token:") && k.endsWith(`:${id}`)).flatMap(([, v]) => v.split(" ")), pw.id);
      assert.equal(tokens.length, 1, "the purchase's token is held for a retry");
      const answer = await fetch(`${h.plogUrl}/v1/paywalls/${pw.id}/content`, { headers: { authorization: `Bearer ${tokens[0]}` } });
      assert.equal(answer.status, 402);
      assert.deepEqual(await contents(r), []);
      assert.equal(await run(r, (s) => document.documentElement.outerHTML.includes(s), secret), false);
      assert.notEqual((await h.purchases(pw.id))[0].status, "paid");
    });

    journey("returning: after paying, a reload shows the paid part and never the Buy", async () => {
      const secret = marker("return");
      const pw = await h.createPaywall({ markdown: secret });
      const url = article("return", [pw]);
      const r = await reader(url);
      await click(r, ".buy");
      await payWith(r, CARDS.ok);
      await opened(r, pw.id);
      await r.goto(url);
      assert.match(await opened(r, pw.id), new RegExp(secret));
      assert.equal(await run(r, () => document.querySelectorAll("plog-paywall").length), 0, "no paywall left");
      assert.equal(await run(r, () => performance.getEntriesByType("resource").some((e) => /stripe/i.test(e.name))), false,
        "no Stripe.js on a returning visit");
    });

    journey("restore: a receipt by mail on purchase, then the code opens the paid part in a fresh profile", async () => {
      const secret = marker("restore");
      const pw = await h.createPaywall({ title: "Ramen in Sapporo", amount: 300, markdown: secret, origins: [h.blogUrl] });
      const url = article("restore", [pw]);
      const email = address(`${key}-restore`);
      const buyer = await reader(url);
      await click(buyer, ".buy");
      await fill(buyer, "input[part=email-input]", email);
      await payWith(buyer, CARDS.ok);
      await opened(buyer, pw.id);
      await h.waitForMails(email, 1);

      const other = await reader(url);
      assert.deepEqual(await contents(other), []);
      await click(other, "[part~=restore-button]");
      await fill(other, "input[part=restore-email-input]", email);
      await click(other, ".restore-email button");
      await until(other, "the code field", () => { const e = find(0, "input[part=restore-code-input]"); return e && e.getClientRects().length > 0; });
      const [, mail] = await h.waitForMails(email, 2);
      const code = mail.text.match(/^\s*(\d{6})\s*$/m)[1];
      await fill(other, "input[part=restore-code-input]", code);
      await click(other, ".restore-code button");
      assert.match(await opened(other, pw.id), new RegExp(secret));
      assert.deepEqual((await h.purchases(pw.id)).map((p) => p.status), ["paid"], "one purchase, unchanged");
    });

    journey("pass: bought on one article, it opens the page's other paywall and another article, with one purchase", async () => {
      const [s1, s2] = [marker("pass-a"), marker("pass-b")];
      // A site's pass: the blog's origin is a site of its own per engine (its own port would
      // need another server), so each engine's pass covers its own two paywalls only.
      const first = await h.createPaywall({ title: "Part one", amount: 300, markdown: s1, origins: [h.blogUrl] });
      const second = await h.createPaywall({ title: "Part two", amount: 300, markdown: s2, origins: [h.blogUrl] });
      await h.admin("POST", "/v1/admin/passes", { title: `All articles ${key}`, price: { amount: 500, currency: "jpy" }, origin: h.blogUrl, days: 30 });
      const r = await reader(article("pass-1", [first, second]));
      await until(r, "the pass offer", (title) => {
        const offer = [...document.querySelector("plog-paywall").shadowRoot.querySelectorAll(".pass")].find((b) => b.textContent.includes(title));
        offer?.click();
        return !!offer;
      }, `All articles ${key}`);
      // The card form is rendered once Stripe.js and the purchase are there (its chunk's code).
      assert.match(await until(r, "the card form", () => find(0, ".pay")?.textContent), /Pay ¥500/);
      await payWith(r, CARDS.ok);
      assert.match(await opened(r, first.id), new RegExp(s1));
      assert.match(await opened(r, second.id), new RegExp(s2), "the page's other paywall opens too");
      await r.goto(article("pass-2", [second]));
      assert.match(await opened(r, second.id), new RegExp(s2));
      const bought = (await h.purchases()).filter((p) => [first.id, second.id].includes(p.paywall_id));
      assert.deepEqual(bought.map((p) => [p.paywall_id, p.status, p.price.amount]), [[first.id, "paid", 500]]);
    });

    journey("gift: the link opens its paywall in a fresh profile, leaves the address bar, and this browser keeps it", async () => {
      const secret = marker("gift");
      const pw = await h.createPaywall({ title: "For a friend", amount: 300, markdown: secret });
      const gift = await h.admin("POST", `/v1/admin/paywalls/${pw.id}/gifts`, { label: `for ${key}`, max_opens: 1 });
      const url = article("gift", [pw]);
      const friend = await reader(url + gift.fragment, { wait: false });
      assert.match(await opened(friend, pw.id), new RegExp(secret));
      assert.equal(await run(friend, () => location.href.includes("plog-gift")), false, "the code left the address bar");
      await friend.goto(url);
      assert.match(await opened(friend, pw.id), new RegExp(secret));
      assert.equal((await h.purchases(pw.id)).length, 0, "a gift is no purchase");
    });

    journey("tip: ¥500 chosen from the chips, paid with 4242; the thank-you shows and one paid tip is recorded", async () => {
      const pw = await h.createPaywall({ title: "Enjoyed it?", amount: 100, markdown: "THANKS-FOR-THE-TIP", mode: "tip" });
      const r = await reader(article("tip", [pw]));
      const chips = () => [...document.querySelector("plog-paywall").shadowRoot.querySelectorAll(".chip")];
      assert.deepEqual(await run(r, `() => (${chips})().map((c) => c.textContent)`), ["¥100", "¥500", "¥1,000"]);
      await until(r, "the ¥500 chip pressed", `() => { const chip = (${chips})().find((c) => c.textContent === "¥500");
        chip.click(); return chip.getAttribute("aria-pressed") === "true"; }`);
      await click(r, ".buy");
      await payWith(r, CARDS.ok);
      assert.match(await opened(r, pw.id), /THANKS-FOR-THE-TIP/);
      assert.deepEqual((await h.purchases(pw.id)).map((t) => [t.status, t.price.amount, t.mode]), [["paid", 500, "tip"]]);
    });

    journey("wallet: one tap on the wallet's button and its sheet's Pay; the paid part shows, one charge", async () => {
      const secret = marker("wallet");
      const pw = await h.createPaywall({ markdown: secret });
      const r = await reader(article("wallet", [pw]));
      await click(r, ".buy");
      // The sandbox's wallet button (light DOM, projected through the wallet slot), then its sheet.
      for (const selector of ["[data-plog-sandbox-wallet]", "[data-plog-sandbox-pay]"]) {
        await until(r, selector, (s) => { const button = document.querySelector(s); if (button) button.click(); return !!button; }, selector);
      }
      assert.match(await opened(r, pw.id), new RegExp(secret));
      assert.deepEqual((await h.purchases(pw.id)).map((p) => p.status), ["paid"]);
      assert.deepEqual((await stripeIntents(pw.id)).map((i) => i.status), ["succeeded"]);
    });

    journey("article page: the paywall painted without a script is taken over, 4242 buys, a reload reads", async () => {
      const secret = marker("page");
      const pw = await h.createPaywall({ markdown: secret, free_markdown: "The free part." });
      const r = await reader(`${h.plogUrl}/r/${pw.id}`);
      assert.equal(await run(r, () => document.querySelectorAll("plog-paywall").length), 1, "the painted paywall, taken over");
      await click(r, ".buy");
      await payWith(r, CARDS.ok);
      assert.match(await opened(r, pw.id), new RegExp(secret));
      await r.goto(`${h.plogUrl}/r/${pw.id}`);
      assert.match(await opened(r, pw.id), new RegExp(secret));
      assert.deepEqual((await h.purchases(pw.id)).map((p) => p.status), ["paid"]);
    });
  });
}
