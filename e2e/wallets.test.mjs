// Wallets in a real browser: the widget's Express Checkout Element (the sandbox's Stripe.js
// double shows "Google Pay (sandbox)", or no wallet, or a wallet that fails or loses its answer)
// above the unchanged card form. One tap pays the purchase started at Buy; a failing wallet
// leaves the card working; no wallet leaves no trace; a lost answer or a double press costs
// one charge; the amount a reader chose reaches the sheet and the charge; the wallet's address
// is offered for the receipt and used only if the reader keeps it; ja.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Harness, blogPage, paywall, fillCard, withEvidence, CARDS, SECRET_KEY, widgetReady } from "./lib/harness.mjs";

let h;
const pages = [];
before(async () => { h = await new Harness().start({ mail: true }); });
after(async () => { await h?.close(); });

/** A blog page with the tag, in a fresh profile whose device offers `wallet` (the double's
 * `window.plogSandboxWallet`) and shares `email`. */
async function article(name, pw, { wallet = "pay", email, attrs = "" } = {}) {
  const url = h.servePage(`/${name}`, blogPage({ title: name, tags: [h.tag(pw.id, attrs)] }));
  const page = await h.newPage();
  pages.push(page);
  await page.addInitScript(([w, e]) => { window.plogSandboxWallet = w; if (e) window.plogSandboxWalletEmail = e; }, [wallet, email]);
  await page.goto(url);
  await paywall(page).locator(".buy").waitFor();
  await widgetReady(page);
  return page;
}

/** Buy, then the wallet's button and its sheet's Pay (`presses` times). */
async function payWithWallet(page, presses = 1) {
  const wall = paywall(page);
  if (await wall.locator("[data-plog-sandbox-wallet]").count() === 0) {
    await wall.locator(".buy").click();
  }
  await wall.locator("[data-plog-sandbox-wallet]").click();
  const pay = page.locator("[data-plog-sandbox-sheet] [data-plog-sandbox-pay]");
  await pay.waitFor();
  if (presses === 2) await pay.dblclick();
  else await pay.click();
}

/** The paywall's PaymentIntents at the Stripe stand-in, by status. */
async function intentStatuses(paywallId) {
  const r = await fetch(`${h.stripeUrl}/v1/payment_intents?limit=100`, { headers: { authorization: `Bearer ${SECRET_KEY}` } });
  return (await r.json()).data.filter((i) => i.metadata?.paywall_id === paywallId).map((i) => i.status).sort();
}

test("a wallet on the device: one tap pays, the paid part shows, and the receipt goes to the wallet's address when kept", async () => {
  await withEvidence(h, "wallets-pay", () => pages, async () => {
    const pw = await h.createPaywall({ amount: 480, markdown: "WALLET-PAID-PART" });
    const email = `wallet-${Date.now()}@example.com`;
    const page = await article("wallet-pay", pw, { email });
    const wall = paywall(page);
    await wall.locator(".buy").click();
    await wall.locator("[data-plog-sandbox-wallet]").waitFor();
    assert.ok(await wall.locator(".wallet").isVisible(), "the wallet buttons show above the card form");
    assert.ok(await wall.locator(".or-card").isVisible());
    assert.ok(await wall.locator("input[name=cardnumber]").isVisible(), "the card form is there too");
    await payWithWallet(page);
    // The sheet showed what the Pay button says, and the address the wallet shares.
    await page.locator("plog-content").waitFor({ timeout: 15000 });
    assert.match(await page.locator("plog-content").textContent(), /WALLET-PAID-PART/);
    // Above the paid part: the receipt offered to the wallet's address, prefilled.
    const offer = wall.locator(".offer");
    await offer.waitFor();
    assert.equal(await offer.locator("input").inputValue(), email);
    await offer.locator(".send-receipt").click();
    await page.locator("plog-paywall").waitFor({ state: "detached" });
    const [mail] = await h.waitForMails(email);
    assert.match(mail.text, /¥480/);
    assert.deepEqual((await h.purchases(pw.id)).map((p) => p.status), ["paid"]);
    assert.deepEqual(await intentStatuses(pw.id), ["succeeded"]);
  });
});

test("the reader may change or decline the offered receipt: it goes only where the field says, and only on Send", async () => {
  await withEvidence(h, "wallets-receipt-choice", () => pages, async () => {
    const pw = await h.createPaywall({ amount: 300, markdown: "CHOSEN-ADDRESS" });
    const shared = `shared-${Date.now()}@example.com`;
    const typed = `typed-${Date.now()}@example.com`;
    const page = await article("wallet-receipt-change", pw, { email: shared });
    await payWithWallet(page);
    const offer = paywall(page).locator(".offer");
    await offer.waitFor();
    await offer.locator("input").fill(typed);
    await offer.locator(".send-receipt").click();
    await h.waitForMails(typed);
    // Declined: the paywall leaves, the content stays, and the purchase holds no address.
    const pw2 = await h.createPaywall({ amount: 300, markdown: "DECLINED-RECEIPT" });
    const page2 = await article("wallet-receipt-decline", pw2, { email: shared });
    await payWithWallet(page2);
    await paywall(page2).locator(".offer .no-receipt").click();
    await page2.locator("plog-paywall").waitFor({ state: "detached" });
    assert.match(await page2.locator("plog-content").textContent(), /DECLINED-RECEIPT/);
    const [purchase] = await h.purchases(pw2.id);
    assert.equal(purchase.status, "paid");
    assert.equal(purchase.receipt ?? null, null, JSON.stringify(purchase));
    assert.deepEqual(await h.mails(shared), [], "the shared address got nothing");
  });
});

test("a wallet that fails says why, and the card then pays the same purchase's price once", async () => {
  await withEvidence(h, "wallets-fail", () => pages, async () => {
    const pw = await h.createPaywall({ amount: 200, markdown: "CARD-AFTER-WALLET" });
    const page = await article("wallet-fail", pw, { wallet: "fail" });
    const wall = paywall(page);
    await payWithWallet(page);
    await wall.locator(".error").filter({ hasText: "Your card was declined." }).waitFor();
    await page.locator("[data-plog-sandbox-sheet]").waitFor({ state: "detached" });
    await fillCard(page, CARDS.ok);
    await wall.locator(".pay").click();
    await page.locator("plog-content").waitFor({ timeout: 15000 });
    assert.match(await page.locator("plog-content").textContent(), /CARD-AFTER-WALLET/);
    assert.equal((await intentStatuses(pw.id)).filter((s) => s === "succeeded").length, 1);
  });
});

test("no wallet on the device: no buttons, no space, and the card form as it was", async () => {
  await withEvidence(h, "wallets-none", () => pages, async () => {
    const pw = await h.createPaywall({ amount: 100, markdown: "CARD-ONLY" });
    const page = await article("wallet-none", pw, { wallet: "none" });
    const wall = paywall(page);
    await wall.locator(".buy").click();
    await wall.locator("input[name=cardnumber]").waitFor();
    assert.equal(await wall.locator("[data-plog-sandbox-wallet]").count(), 0);
    assert.ok(await wall.locator(".wallet").isHidden());
    assert.ok(await wall.locator(".or-card").isHidden());
    // The card label is the card area's first visible line: nothing above it.
    const [area, label] = await Promise.all([wall.locator(".card-area").boundingBox(), wall.locator(".card-label").boundingBox()]);
    assert.ok(Math.abs(label.y - area.y) < 1, `${JSON.stringify(area)} ${JSON.stringify(label)}`);
    await fillCard(page, CARDS.ok);
    await wall.locator(".pay").click();
    await page.locator("plog-content").waitFor({ timeout: 15000 });
  });
});

test("a lost answer, then a second tap: one charge, and the paid part", async () => {
  await withEvidence(h, "wallets-lost", () => pages, async () => {
    const pw = await h.createPaywall({ amount: 100, markdown: "LOST-THEN-FOUND" });
    const page = await article("wallet-lost", pw, { wallet: "lose" });
    const wall = paywall(page);
    await payWithWallet(page);
    await wall.locator(".error").filter({ hasText: "could not reach Stripe" }).waitFor();
    assert.deepEqual(await intentStatuses(pw.id), ["succeeded"], "the payment went through; only its answer was lost");
    await payWithWallet(page);
    await page.locator("plog-content").waitFor({ timeout: 15000 });
    assert.deepEqual(await intentStatuses(pw.id), ["succeeded"]);
    assert.deepEqual((await h.purchases(pw.id)).map((p) => p.status), ["paid"]);
  });
});

test("a double press in the wallet's sheet confirms once", async () => {
  await withEvidence(h, "wallets-double", () => pages, async () => {
    const pw = await h.createPaywall({ amount: 100, markdown: "PRESSED-TWICE" });
    const page = await article("wallet-double", pw);
    await payWithWallet(page, 2);
    await page.locator("plog-content").waitFor({ timeout: 15000 });
    assert.deepEqual(await intentStatuses(pw.id), ["succeeded"]);
    assert.deepEqual((await h.purchases(pw.id)).map((p) => p.status), ["paid"]);
  });
});

test("the amount a reader chose, and a discount, reach the wallet's sheet and the charge", async () => {
  await withEvidence(h, "wallets-amounts", () => pages, async () => {
    const pw = await h.createPaywall({ amount: 300, markdown: "CHOSEN", mode: "pay_what_you_want", suggested_amount: 500 });
    const page = await article("wallet-pwyw", pw);
    const wall = paywall(page);
    await wall.locator("input[part=amount-input]").fill("1200");
    await wall.locator(".buy").click();
    await wall.locator("[data-plog-sandbox-wallet]").click();
    assert.match(await page.locator("[data-plog-sandbox-amount]").textContent(), /1,200/);
    await page.locator("[data-plog-sandbox-pay]").click();
    await page.locator("plog-content").waitFor({ timeout: 15000 });
    assert.deepEqual((await h.purchases(pw.id)).map((p) => [p.status, p.price.amount]), [["paid", 1200]]);

    const fixed = await h.createPaywall({ amount: 1000, markdown: "DISCOUNTED" });
    const code = `WALLET${Date.now() % 100000}`;
    await h.admin("POST", "/v1/admin/discounts", { code, percent_off: 20, applies_to: [fixed.id] });
    const page2 = await article("wallet-discount", fixed);
    const wall2 = paywall(page2);
    await wall2.locator(".code-open").click();
    await wall2.locator("input[part=code-input]").fill(code);
    await wall2.locator(".code-form button").click();
    await wall2.locator(".code-message").filter({ hasText: `Code ${code} applied.` }).waitFor();
    await wall2.locator(".buy").click();
    await wall2.locator("[data-plog-sandbox-wallet]").click();
    assert.match(await page2.locator("[data-plog-sandbox-amount]").textContent(), /800/);
    await page2.locator("[data-plog-sandbox-pay]").click();
    await page2.locator("plog-content").waitFor({ timeout: 15000 });
    assert.deepEqual((await h.purchases(fixed.id)).map((p) => [p.status, p.price.amount]), [["paid", 800]]);
  });
});

test("ja: the wallet's line and the receipt offer speak Japanese", async () => {
  await withEvidence(h, "wallets-ja", () => pages, async () => {
    const pw = await h.createPaywall({ amount: 100, markdown: "日本語" });
    const page = await article("wallet-ja", pw, { attrs: 'data-lang="ja"', email: `ja-${Date.now()}@example.com` });
    const wall = paywall(page);
    await wall.locator(".buy").click();
    await wall.locator("[data-plog-sandbox-wallet]").waitFor();
    assert.equal(await wall.locator(".or-card").textContent(), "またはカードで支払う");
    await payWithWallet(page);
    await wall.locator(".offer").waitFor();
    assert.match(await wall.locator(".offer").textContent(), /領収書を送りますか/);
    assert.match(await page.locator("plog-content").textContent(), /日本語/);
  });
});
