// More ways to pay and share, in a real browser through the one tag: a 30-day pass bought on
// one article opens another article of the site without paying, and locks again when it ends
// (plog's clock moved on, through the sandbox's clock route); a gift link opens a paywall in a
// fresh profile; a discount code lowers the price shown and charged.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Harness, blogPage, paywall, fillCard, screenshot, withEvidence, CARDS, widgetReady } from "./lib/harness.mjs";

let h;
const pages = [];
before(async () => { h = await new Harness().start(); });
after(async () => { await h?.close(); });

const marker = (n) => `PAID-MARKER-${n}-${Math.random().toString(36).slice(2, 8)}`;

async function open(url, page) {
  page = page || (await h.newPage());
  if (!pages.includes(page)) pages.push(page);
  await page.goto(url);
  await paywall(page).locator(".buy").waitFor(); await widgetReady(page);
  return page;
}

async function pay(page) {
  await paywall(page).locator("input[name=cardnumber]").waitFor();
  await fillCard(page, CARDS.ok);
  await paywall(page).locator(".pay").click();
  await page.locator("plog-content").waitFor({ timeout: 15000 });
}

test("19. a 30-day pass bought on one article opens another article of the site without paying, then locks again when it ends", async () => {
  await withEvidence(h, "journey-19", () => pages, async () => {
    const [s1, s2] = [marker("19a"), marker("19b")];
    const first = await h.createPaywall({ title: "Part one", amount: 300, markdown: s1, origins: [h.blogUrl] });
    const second = await h.createPaywall({ title: "Part two", amount: 300, markdown: s2, origins: [h.blogUrl] });
    const pass = await h.admin("POST", "/v1/admin/passes", { title: "All <em>articles</em>", price: { amount: 500, currency: "jpy" }, origin: h.blogUrl, days: 30 });
    // The first page carries both articles' paywalls; the second page the second alone.
    const url1 = h.servePage("/pass-1", blogPage({ title: "One", tags: [h.tag(first.id), h.tag(second.id)] }));
    const url2 = h.servePage("/pass-2", blogPage({ title: "Two", tags: [h.tag(second.id)] }));

    const reader = await open(url1);
    const offer = paywall(reader).locator(".pass");
    assert.equal((await offer.textContent()).trim(), "All <em>articles</em>: ¥500 for 30 days", "the creator's title as text");
    assert.equal(await paywall(reader).locator(".passes em").count(), 0);
    await screenshot(reader, "pass-offer");
    await offer.click();
    assert.equal((await paywall(reader).locator(".pay").textContent()).trim(), "Pay ¥500");
    await paywall(reader).locator("input[name=cardnumber]").waitFor();
    await fillCard(reader, CARDS.ok);
    await paywall(reader).locator(".pay").click();
    const opened = (paywall) => reader.locator(`plog-content[data-paywall="${paywall.id}"]`);
    await opened(first).waitFor({ timeout: 15000 });
    assert.match(await opened(first).textContent(), new RegExp(s1));
    // The page's other paywall, covered by the pass, opens too, without a reload.
    await opened(second).waitFor({ timeout: 15000 });
    assert.match(await opened(second).textContent(), new RegExp(s2));

    // The other article of the site: open at once, no payment UI, one purchase in all.
    await reader.goto(url2);
    await reader.locator("plog-content").waitFor({ timeout: 15000 });
    assert.match(await reader.locator("plog-content").textContent(), new RegExp(s2));
    const purchases = await h.purchases();
    assert.deepEqual(purchases.map((p) => [p.paywall_id, p.status, p.price.amount]), [[first.id, "paid", 500]]);

    // Thirty days later (plog's clock moved on): locked again, with the reason and the offer to renew.
    await h.advanceClock(30 * 86400);
    try {
      await reader.goto(url2);
      await paywall(reader).locator(".buy").waitFor(); await widgetReady(reader);
      await paywall(reader).locator(".status").filter({ hasText: "Your pass has ended" }).waitFor();
      assert.equal(await reader.locator("plog-content").count(), 0);
      assert.ok(await paywall(reader).locator(".pass").isVisible(), "the pass is offered again");
      await screenshot(reader, "pass-ended");
    } finally {
      // The journeys after this one start from today again.
      await h.advanceClock(-30 * 86400);
    }
    assert.deepEqual(reader.consoleErrors.filter((e) => !e.includes("402")), []);
  });
});

test("20. a gift link opens its paywall (the second of the page) in a fresh profile, and that browser keeps it; the link leaves the address bar", async () => {
  await withEvidence(h, "journey-20", () => pages, async () => {
    const secret = marker(20);
    const first = await h.createPaywall({ title: "Not a gift", amount: 300, markdown: marker("20x") });
    const pw = await h.createPaywall({ title: "For a friend", amount: 300, markdown: secret });
    const gift = await h.admin("POST", `/v1/admin/paywalls/${pw.id}/gifts`, { label: "for Aiko", max_opens: 1 });
    const url = h.servePage("/gift", blogPage({ title: "Gift", tags: [h.tag(first.id), h.tag(pw.id)] }));

    const friend = await h.newPage();
    pages.push(friend);
    await friend.goto(url + gift.fragment);
    await friend.locator(`plog-content[data-paywall="${pw.id}"]`).waitFor({ timeout: 15000 });
    assert.match(await friend.locator("plog-content").textContent(), new RegExp(secret));
    assert.equal(await friend.locator("plog-content").count(), 1, "only the gift's paywall opens");
    await paywall(friend).locator(".buy").waitFor(); await widgetReady(friend);
    assert.ok(!friend.url().includes("plog-gift"), `the code left the address bar: ${friend.url()}`);
    await friend.reload();
    await friend.locator("plog-content").waitFor({ timeout: 15000 });

    // Its one open is taken: another profile with the same link gets the locked paywall and why.
    const other = await h.newPage();
    pages.push(other);
    await other.goto(url + gift.fragment);
    await paywall(other, 1).locator(".status").filter({ hasText: "already been used" }).waitFor();
    assert.equal(await other.locator("plog-content").count(), 0);
    assert.equal((await h.purchases(pw.id)).length, 0, "a gift is no purchase");
  });
});

test("21. a discount code lowers the price shown and the amount charged; a wrong one says so in the reader's language", async () => {
  await withEvidence(h, "journey-21", () => pages, async () => {
    const secret = marker(21);
    const pw = await h.createPaywall({ title: "Launch week", amount: 300, markdown: secret });
    await h.admin("POST", "/v1/admin/discounts", { code: "LAUNCH", percent_off: 20, applies_to: [pw.id] });
    const url = h.servePage("/code", blogPage({ title: "Launch", tags: [h.tag(pw.id)] }));
    const ja = h.servePage("/code-ja", blogPage({ title: "ローンチ", lang: "ja", tags: [h.tag(pw.id)] }));

    const japanese = await open(ja);
    await paywall(japanese).locator(".code-open").click();
    await paywall(japanese).locator("input[part=code-input]").fill("NOPE");
    await paywall(japanese).locator(".code-form button").click();
    await paywall(japanese).locator(".code-message").filter({ hasText: "このコードは無効です。" }).waitFor();

    const reader = await open(url);
    assert.equal((await paywall(reader).locator(".price strong").textContent()).trim(), "¥300");
    await paywall(reader).locator(".code-open").click();
    await paywall(reader).locator("input[part=code-input]").fill("launch");
    await paywall(reader).locator(".code-form button").click();
    await paywall(reader).locator(".code-message").filter({ hasText: "Code LAUNCH applied." }).waitFor();
    assert.equal((await paywall(reader).locator(".price strong").textContent()).trim(), "¥240");
    assert.equal((await paywall(reader).locator(".price .was").textContent()).trim(), "¥300");
    await screenshot(reader, "code-applied");
    await paywall(reader).locator(".buy").click();
    assert.equal((await paywall(reader).locator(".pay").textContent()).trim(), "Pay ¥240");
    await pay(reader);
    assert.match(await reader.locator("plog-content").textContent(), new RegExp(secret));
    const [purchase] = await h.purchases(pw.id);
    assert.deepEqual([purchase.status, purchase.price.amount], ["paid", 240], "charged what was shown");
    const stripe = await (await fetch(`${h.stripeUrl}/v1/payment_intents/${purchase.payment_intent_id}`, {
      headers: { authorization: "Bearer sk_test_e2e" } })).json();
    assert.equal(stripe.amount, 240, "the PaymentIntent's amount");
  });
});

test("22. a tip jar without a thank-you of its own thanks the reader in their language", async () => {
  await withEvidence(h, "journey-22", () => pages, async () => {
    const jar = await h.admin("POST", "/v1/admin/paywalls", { title: "Enjoyed it?", price: { amount: 100, currency: "jpy" }, mode: "tip" });
    for (const [lang, thanks] of [["en", "Thank you for your support!"], ["ja", "ご支援ありがとうございます！"]]) {
      const url = h.servePage(`/tip-${lang}`, blogPage({ title: "Tips", lang, tags: [h.tag(jar.id)] }));
      const reader = await open(url);
      await paywall(reader).locator(".buy").click();
      await pay(reader);
      assert.equal((await reader.locator("plog-content").textContent()).trim(), thanks);
    }
  });
});
