// The article page on plog's own host (`/r/{id}`), the link a writer shares where no tag can go
// (note, Medium, Substack, WordPress.com): a fresh profile reads the free part, buys, reads the
// paid part and still reads after a reload; a gift link opens it; a link-preview crawler (no
// JavaScript) reads its card; axe-core finds no violation; a keyboard alone buys; ja.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { Harness, paywall, buy, withEvidence, CARDS, widgetReady } from "./lib/harness.mjs";

const require = createRequire(import.meta.url);
let h;
const pages = [];
before(async () => { h = await new Harness().start(); });
after(async () => { await h?.close(); });

async function article(more = {}) {
  return h.createPaywall({
    title: "Ramen in Sapporo", teaser: "Where the locals queue.", amount: 300, markdown: "PAID-PART-29",
    free_markdown: "The **free** part of the article.", ...more,
  });
}

async function open(path, contextOptions = {}) {
  const page = await h.newPage(contextOptions);
  pages.push(page);
  await page.goto(`${h.plogUrl}${path}`);
  return page;
}

test("a fresh profile opens the pay link, reads the free part, buys, reads the paid part, and still reads after a reload", async () => {
  await withEvidence(h, "article-buy", () => pages, async () => {
    const pw = await article();
    const page = await open(`/r/${pw.id}`);
    assert.equal(await page.locator("h1").textContent(), "Ramen in Sapporo");
    assert.equal(await page.locator(".free strong").textContent(), "free");
    await paywall(page).locator(".buy").waitFor();
    await widgetReady(page);
    assert.equal(page.consoleErrors.length, 0, page.consoleErrors.join("\n"));
    assert.ok(page.requests.every((u) => u.startsWith(h.plogUrl)), `no third-party request before Buy: ${page.requests.join(" ")}`);
    assert.deepEqual(await page.context().cookies(), []);
    await buy(page, CARDS.ok);
    await page.locator("plog-content").waitFor({ timeout: 15000 });
    assert.match(await page.locator("plog-content").textContent(), /PAID-PART-29/);
    await page.reload();
    await page.locator("plog-content").waitFor({ timeout: 15000 });
    assert.match(await page.locator("plog-content").textContent(), /PAID-PART-29/);
    assert.deepEqual((await h.purchases(pw.id)).map((p) => p.status), ["paid"]);
  });
});

test("a paywall that sells only on its blogs sells on its own page too, and a gift link opens there", async () => {
  await withEvidence(h, "article-gift", () => pages, async () => {
    const pw = await article({ origins: ["https://someones-blog.example"], markdown: "GIFTED-29" });
    const gift = await h.admin("POST", `/v1/admin/paywalls/${pw.id}/gifts`, { label: "for Aiko", max_opens: 1 });
    const friend = await open(`/r/${pw.id}${gift.fragment}`);
    await friend.locator("plog-content").waitFor({ timeout: 15000 });
    assert.match(await friend.locator("plog-content").textContent(), /GIFTED-29/);
    const buyer = await open(`/r/${pw.id}`);
    await paywall(buyer).locator(".buy").waitFor(); await widgetReady(buyer);
    await buy(buyer, CARDS.ok);
    await buyer.locator("plog-content").waitFor({ timeout: 15000 });
  });
});

test("a link-preview crawler (no JavaScript) reads the card: Open Graph, Twitter, canonical, lang, JSON-LD, and the locked paywall", async () => {
  const pw = await article({ image_url: "https://images.example/ramen.jpg", canonical_url: "https://someones-blog.example/ramen" });
  const response = await fetch(`${h.plogUrl}/r/${pw.id}`, { headers: { "user-agent": "Twitterbot/1.0", "accept-language": "en" } });
  assert.equal(response.status, 200);
  const html = await response.text();
  const tags = metaTags(html);
  assert.equal(tags["og:title"], "Ramen in Sapporo");
  assert.equal(tags["og:description"], "Where the locals queue.");
  assert.equal(tags["og:type"], "article");
  assert.equal(tags["og:image"], "https://images.example/ramen.jpg");
  assert.equal(tags["og:url"], `${h.plogUrl}/r/${pw.id}`);
  assert.equal(tags["twitter:card"], "summary_large_image");
  assert.equal(tags["twitter:title"], "Ramen in Sapporo");
  assert.match(html, /<link rel="canonical" href="https:\/\/someones-blog\.example\/ramen">/);
  assert.match(html, /<html lang="en"/);
  const ld = JSON.parse(html.match(/<script type="application\/ld\+json"[^>]*>([^<]*)<\/script>/)[1]);
  assert.equal(ld.isAccessibleForFree, false);
  assert.equal(ld.hasPart.cssSelector, ".plog-paywalled");
  // Without JavaScript: the free part, the painted paywall (its price and Buy), and the sentence
  // that buying needs JavaScript; never the paid part.
  assert.match(html, /The <strong>free<\/strong> part/);
  assert.match(html, /<template shadowrootmode="open">/);
  assert.match(html, /¥300/);
  assert.match(html, /<noscript>/);
  assert.ok(!html.includes("PAID-PART-29"));
  assert.ok(!/<script(?![^>]*(src=|type="application\/ld\+json"))/.test(html), "no inline script");
  assert.match(response.headers.get("content-security-policy"), /script-src 'self'/);
  assert.equal(response.headers.get("set-cookie"), null);
});

test("axe-core finds no violation on the page, and a keyboard alone buys", async () => {
  await withEvidence(h, "article-a11y", () => pages, async () => {
    const pw = await article({ markdown: "KEYBOARD-29" });
    // The page's CSP lets no script in but plog's: the test's own axe-core is let in by the browser.
    const page = await open(`/r/${pw.id}`, { bypassCSP: true });
    await paywall(page).locator(".buy").waitFor(); await widgetReady(page);
    await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
    const result = await page.evaluate(() => window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "best-practice"] }));
    assert.deepEqual(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), []);
    // Tab to Buy, Enter; the card field has the focus; type, Tab on, and Enter on Pay.
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press("Tab");
      const onBuy = await page.evaluate(() => document.querySelector("plog-paywall").shadowRoot.activeElement?.classList.contains("buy"));
      if (onBuy) break;
    }
    await page.keyboard.press("Enter");
    await paywall(page).locator("input[name=cardnumber]").waitFor();
    await page.waitForFunction(() => document.activeElement?.name === "cardnumber");
    await page.keyboard.type(CARDS.ok);
    await page.keyboard.press("Tab");
    await page.keyboard.type("1234");
    await page.keyboard.press("Tab");
    await page.keyboard.type("123");
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press("Tab");
      const onPay = await page.evaluate(() => document.querySelector("plog-paywall").shadowRoot.activeElement?.classList.contains("pay"));
      if (onPay) break;
    }
    await page.keyboard.press("Enter");
    await page.locator("plog-content").waitFor({ timeout: 15000 });
    assert.match(await page.locator("plog-content").textContent(), /KEYBOARD-29/);
  });
});

test("ja: a Japanese reader's page and paywall speak Japanese", async () => {
  await withEvidence(h, "article-ja", () => pages, async () => {
    const pw = await article({ title: "札幌のラーメン" });
    const page = await open(`/r/${pw.id}`, { locale: "ja-JP" });
    assert.equal(await page.locator("html").getAttribute("lang"), "ja");
    await paywall(page).locator(".buy").waitFor(); await widgetReady(page);
    assert.match(await paywall(page).locator(".buy").textContent(), /購入/);
  });
});

/** `<meta property|name=… content=…>` as a crawler reads them: attributes in any order. */
function metaTags(html) {
  const tags = {};
  for (const [tag] of html.matchAll(/<meta\b[^>]*>/g)) {
    const attr = (name) => tag.match(new RegExp(`\\b${name}="([^"]*)"`))?.[1];
    const key = attr("property") || attr("name");
    if (key) tags[key] = decode(attr("content") ?? "");
  }
  return tags;
}

function decode(text) {
  return text.replaceAll("&quot;", '"').replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}
