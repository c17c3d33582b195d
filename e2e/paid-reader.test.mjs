// A reader who paid always reads (issue 25, H2 of the review): with the article open in two tabs
// of one browser (Buy in both, pay in the first), and with site storage refused (reading
// localStorage throws a SecurityError, as Safari's "block all cookies" or a policy makes it).
// Before, the widget read the token back from storage after paying: the other tab's unpaid
// purchase had overwritten it (or there was none), so the reader saw "reload", the reload
// showed the paywall, and the receipt went with the other purchase.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Harness, blogPage, paywall, fillCard, screenshot, withEvidence, CARDS, widgetReady } from "./lib/harness.mjs";

let h;
const pages = [];
before(async () => { h = await new Harness().start({ mail: true }); });
after(async () => { await h?.close(); });

const marker = (n) => `PAID-MARKER-${n}-${Math.random().toString(36).slice(2, 8)}`;

async function openIn(page, url) {
  pages.push(page);
  await page.goto(url);
  await paywall(page).locator(".buy").waitFor();
  await widgetReady(page);
  return page;
}

async function startBuying(page) {
  await paywall(page).locator(".buy").click();
  await paywall(page).locator("input[name=cardnumber]").waitFor();
}

test("two tabs: Buy in both, pay in the first → it opens, the receipt is of the paid purchase, and a reload of either tab reads", async () => {
  await withEvidence(h, "paid-reader-two-tabs", () => pages, async () => {
    const secret = marker("tabs");
    const pw = await h.createPaywall({ title: "Two tabs", amount: 300, markdown: secret, origins: [h.blogUrl] });
    const url = h.servePage("/two-tabs", blogPage({ title: "Two tabs", tags: [h.tag(pw.id)] }));
    const first = await openIn(await h.newPage(), url);
    const second = await openIn(await first.context().newPage(), url);
    await startBuying(first);
    await startBuying(second);
    assert.equal((await h.purchases(pw.id)).length, 2, "each tab started its own purchase");

    const email = `tabs-${Math.random().toString(36).slice(2, 10)}@reader.test`;
    await fillCard(first, CARDS.ok);
    await paywall(first).locator("input[part=email-input]").fill(email);
    await paywall(first).locator(".pay").click();
    await first.locator("plog-content").waitFor({ timeout: 15000 });
    assert.match(await first.locator("plog-content").textContent(), new RegExp(secret));

    const [receipt] = await h.waitForMails(email, 1);
    assert.match(receipt.text, /¥300/);
    // The catcher has the mail a moment before plog records it sent.
    let purchases;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
      purchases = await h.purchases(pw.id);
      if (purchases.some((p) => p.status === "paid" && p.receipt === "sent")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const paid = purchases.filter((p) => p.status === "paid");
    assert.equal(paid.length, 1, JSON.stringify(purchases));
    assert.equal(paid[0].receipt, "sent", "the receipt went with the purchase that was paid");

    for (const tab of [first, second]) {
      await tab.reload();
      await tab.locator("plog-content").waitFor({ timeout: 10000 });
      assert.match(await tab.locator("plog-content").textContent(), new RegExp(secret));
    }
    assert.equal((await h.purchases(pw.id)).filter((p) => p.status === "paid").length, 1, "charged once");
  });
});

test("storage refused (SecurityError): the card form says so, the payment opens the article, one purchase", async () => {
  await withEvidence(h, "paid-reader-no-storage", () => pages, async () => {
    const secret = marker("nostorage");
    const pw = await h.createPaywall({ title: "No storage", amount: 200, markdown: secret });
    const url = h.servePage("/no-storage", blogPage({ title: "No storage", tags: [h.tag(pw.id)] }));
    const page = await h.newPage();
    await page.addInitScript(() => {
      Object.defineProperty(window, "localStorage", {
        configurable: true,
        get() { throw new DOMException("The operation is insecure.", "SecurityError"); },
      });
    });
    await openIn(page, url);
    await startBuying(page);
    const told = paywall(page).locator(".no-storage");
    await told.waitFor();
    assert.match(await told.textContent(), /for this visit only/);
    await screenshot(page, "paid-reader-no-storage");
    await fillCard(page, CARDS.ok);
    await paywall(page).locator(".pay").click();
    await page.locator("plog-content").waitFor({ timeout: 15000 });
    assert.match(await page.locator("plog-content").textContent(), new RegExp(secret));
    assert.deepEqual((await h.purchases(pw.id)).map((p) => p.status), ["paid"]);
    assert.deepEqual(page.consoleErrors, [], "no uncaught error from the refused storage");
  });
});
