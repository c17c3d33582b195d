// Readers never lose what they paid for: a receipt by email, and restoring access in a fresh
// browser profile (no localStorage, no cookie: another device) by the code or by the mail's
// link. A real SMTP server (sandbox/mail_catcher.py, aiosmtpd) catches the mail.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Harness, blogPage, paywall, fillCard, screenshot, withEvidence, CARDS, widgetReady } from "./lib/harness.mjs";

let h;
const pages = [];
before(async () => { h = await new Harness().start({ mail: true }); });
after(async () => { await h?.close(); });

const marker = (n) => `PAID-MARKER-${n}-${Math.random().toString(36).slice(2, 8)}`;
const address = (tag) => `${tag}-${Math.random().toString(36).slice(2, 10)}@reader.test`;

async function open(url) {
  const page = await h.newPage();
  pages.push(page);
  await page.goto(url);
  await paywall(page).locator(".buy").waitFor(); await widgetReady(page);
  return page;
}

function codeOf(mail) {
  const code = mail.text.match(/^\s*(\d{6})\s*$/m);
  assert.ok(code, mail.text);
  const link = mail.text.match(/https?:\/\/\S+#plog-restore=\S+/);
  return { code: code[1], link: link && link[0] };
}

test("17. a receipt by email, then restore by code in a fresh profile; one purchase, and the creator never sees the address", async () => {
  await withEvidence(h, "journey-17", () => pages, async () => {
    const secret = marker(17);
    // The creator lists the blog's site: the receipt may link the article there.
    const pw = await h.createPaywall({ title: "Ramen in Sapporo", amount: 300, markdown: `## The rest\n\n${secret}`, origins: [h.blogUrl] });
    const url = h.servePage("/restore-17", blogPage({ title: "Ramen", tags: [h.tag(pw.id)] }));
    const email = address("journey17");
    const buyer = await open(url);
    await paywall(buyer).locator(".buy").click();
    await paywall(buyer).locator("input[name=cardnumber]").waitFor();
    await fillCard(buyer, CARDS.ok);
    await paywall(buyer).locator("input[part=email-input]").fill("not an address");
    await paywall(buyer).locator(".email-error").filter({ hasText: "reader@example.com" }).waitFor();
    await paywall(buyer).locator(".pay").click();
    await buyer.waitForTimeout(500);
    assert.equal(await buyer.locator("plog-content").count(), 0, "an address that is none stops the payment, nothing else");
    await paywall(buyer).locator("input[part=email-input]").fill(email);
    await screenshot(buyer, "receipt-field");
    await paywall(buyer).locator(".pay").click();
    await buyer.locator("plog-content").waitFor({ timeout: 15000 });
    assert.match(await buyer.locator("plog-content").textContent(), new RegExp(secret));

    const [receipt] = await h.waitForMails(email, 1);
    assert.equal(receipt.headers.subject, "Your receipt: Ramen in Sapporo");
    assert.match(receipt.text, /¥300/);
    assert.ok(receipt.text.includes(url), "the receipt links to the article");
    const shown = await h.newPage();
    pages.push(shown);
    await shown.goto(`${h.mailUrl}/messages/${receipt.id}`);
    await screenshot(shown, "receipt-mail");

    // Another device: nothing held, the paywall is locked; restore by the code.
    const other = await open(url);
    assert.equal(await other.locator("plog-content").count(), 0);
    await paywall(other).locator("[part~=restore-button]").click();
    await paywall(other).locator("input[part=restore-email-input]").fill(email.toUpperCase());
    await screenshot(other, "restore-form");
    await paywall(other).locator(".restore-email button").click();
    await paywall(other).locator("input[part=restore-code-input]").waitFor({ state: "visible" });
    const mails = await h.waitForMails(email, 2);
    const { code } = codeOf(mails[1]);
    await paywall(other).locator("input[part=restore-code-input]").fill(code);
    await screenshot(other, "restore-code");
    await paywall(other).locator(".restore-code button").click();
    await other.locator("plog-content").waitFor({ timeout: 15000 });
    assert.match(await other.locator("plog-content").textContent(), new RegExp(secret));
    const purchases = await h.purchases(pw.id);
    assert.deepEqual(purchases.map((p) => [p.status, p.receipt]), [["paid", "sent"]], "one purchase, unchanged");
    assert.ok(!JSON.stringify(purchases).includes(email));
  });
});

test("18. restore by the mail's link opens every paywall of the page; a GET of the link alone consumes nothing", async () => {
  await withEvidence(h, "journey-18", () => pages, async () => {
    const [s1, s2] = [marker("18a"), marker("18b")];
    // A mail links (with the code) only to a site the creator listed.
    const first = await h.createPaywall({ title: "Part one", markdown: s1, origins: [h.blogUrl] });
    const second = await h.createPaywall({ title: "Part two", markdown: s2, origins: [h.blogUrl] });
    const url = h.servePage("/restore-18", blogPage({ title: "Two parts", tags: [h.tag(first.id), h.tag(second.id)] }));
    const email = address("journey18");
    for (const index of [0, 1]) {
      const buyer = await open(url);
      await paywall(buyer, index).locator(".buy").click();
      await paywall(buyer, index).locator("input[name=cardnumber]").waitFor();
      await fillCard(buyer, CARDS.ok, index);
      await paywall(buyer, index).locator("input[part=email-input]").fill(email);
      await paywall(buyer, index).locator(".pay").click();
      await buyer.locator("plog-content").first().waitFor({ timeout: 15000 });
    }
    await h.waitForMails(email, 2);

    // Ask for a code from a fresh profile, and take the link from the mail.
    const asker = await open(url);
    await paywall(asker).locator("[part~=restore-button]").click();
    await paywall(asker).locator("input[part=restore-email-input]").fill(email);
    await paywall(asker).locator(".restore-email button").click();
    await paywall(asker).locator("input[part=restore-code-input]").waitFor({ state: "visible" });
    const { link } = codeOf((await h.waitForMails(email, 3))[2]);

    // A mail scanner fetching the link: the fragment never reaches a server, nothing is used up.
    const scanned = await fetch(link);
    assert.equal(scanned.status, 200);
    assert.equal(await asker.locator("plog-content").count(), 0);

    const reader = await h.newPage();
    pages.push(reader);
    // The second paywall's view is held until the first has redeemed the link and opened: a
    // paywall that starts after the page's restore was announced still opens (in a real page
    // either order happens, by which view answers first).
    const firstOpen = reader.locator(`plog-content[data-paywall="${first.id}"]`);
    await reader.route(`**/v1/paywalls/${second.id}/view?*`, async (route) => {
      await firstOpen.waitFor({ timeout: 15000 }).catch(() => {});
      await route.continue();
    });
    await reader.goto(link);
    await firstOpen.waitFor({ timeout: 15000 });
    await reader.locator(`plog-content[data-paywall="${second.id}"]`).waitFor({ timeout: 15000 });
    assert.match(await reader.locator("article").textContent(), new RegExp(`${s1}[\\s\\S]*${s2}`));
    assert.ok(!reader.url().includes("plog-restore"), `the code left the address bar: ${reader.url()}`);
    // The same link again: the code is used up; the tokens it bought are kept by this profile.
    const again = await h.newPage();
    pages.push(again);
    await again.goto(link);
    await paywall(again).locator(".buy").waitFor(); await widgetReady(again);
    await again.waitForTimeout(1500);
    assert.equal(await again.locator("plog-content").count(), 0, "a used code opens nothing");
  });
});
