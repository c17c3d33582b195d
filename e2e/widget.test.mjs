// The widget in a real browser: two tags on a blog page served from another origin, hostile
// page CSS, locale-aware prices, languages, themes, and Stripe.js not loaded before Buy.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Harness, blogPage, paywall, fillCard, screenshot, withEvidence, widgetReady } from "./lib/harness.mjs";

let h;
const pages = [];
before(async () => { h = await new Harness().start(); });
after(async () => { await h?.close(); });

async function open(url) {
  const page = await h.newPage();
  pages.push(page);
  await page.goto(url);
  return page;
}

test("two tags on a foreign page mount two paywalls where they stand, with their own prices", async () => {
  await withEvidence(h, "widget-two-tags", () => pages, async () => {
    const yen = await h.createPaywall({ amount: 100, currency: "jpy", markdown: "yen part" });
    const dollars = await h.createPaywall({ title: "Dollar story", amount: 150, currency: "usd", markdown: "usd part" });
    const page = await open(h.servePage("/two", blogPage({ tags: [h.tag(yen.id), h.tag(dollars.id)] })));
    await paywall(page, 1).locator(".buy").waitFor(); await widgetReady(page);
    assert.equal(await page.locator("plog-paywall").count(), 2);
    assert.equal(await paywall(page, 0).locator(".price strong").textContent(), "¥100");
    assert.equal(await paywall(page, 1).locator(".price strong").textContent(), "$1.50");
    assert.equal(await paywall(page, 1).locator(".title").textContent(), "Dollar story");
    // Each paywall stands right before its own tag.
    const order = await page.evaluate(() =>
      Array.from(document.querySelectorAll("article > *")).map((n) => n.tagName.toLowerCase() + (n.dataset.paywall ? ":" + n.dataset.paywall : "")));
    const firstHost = order.indexOf(`plog-paywall:${yen.id}`);
    assert.equal(order[firstHost + 1], `script:${yen.id}`);
    const secondHost = order.indexOf(`plog-paywall:${dollars.id}`);
    assert.equal(order[secondHost + 1], `script:${dollars.id}`);
    assert.ok(secondHost > firstHost);
    // The widget is one WebAssembly download for both.
    assert.equal(page.requests.filter((u) => u.endsWith(".wasm")).length, 1);
    assert.deepEqual(page.consoleErrors.filter((e) => !e.includes("favicon")), []);
    await screenshot(page, "widget-two-tags");
  });
});

test("Stripe.js is not requested before Buy, and is requested once after", async () => {
  await withEvidence(h, "widget-stripe-lazy", () => pages, async () => {
    const pw = await h.createPaywall({ markdown: "lazy" });
    const page = await open(h.servePage("/lazy", blogPage({ tags: [h.tag(pw.id)] })));
    await paywall(page).locator(".buy").waitFor(); await widgetReady(page);
    await page.waitForTimeout(300);
    assert.equal(page.requests.filter((u) => u.includes("stripe")).length, 0, page.requests.join("\n"));
    assert.equal(await page.evaluate(() => typeof window.Stripe), "undefined");
    await paywall(page).locator(".buy").click();
    await paywall(page).locator("input[name=cardnumber]").waitFor();
    assert.equal(page.requests.filter((u) => u.includes("/sandbox/stripe.js")).length, 1);
  });
});

test("hostile page CSS neither hides nor breaks the paywall", async () => {
  await withEvidence(h, "widget-hostile-css", () => pages, async () => {
    const pw = await h.createPaywall({ amount: 300, currency: "eur", markdown: "css" });
    for (const css of ["* { all: unset !important; }", "div { display: none !important; } button { display: none !important; }",
      "plog-paywall, plog-card { display: none !important; visibility: hidden !important; }"]) {
      const page = await open(h.servePage(`/css-${pages.length}`, blogPage({ tags: [h.tag(pw.id)], css })));
      const buy = paywall(page).locator(".buy");
      await buy.waitFor({ state: "visible" });
      assert.equal(await paywall(page).locator(".price strong").textContent(), "€3.00", css);
      const box = await paywall(page).boundingBox();
      assert.ok(box && box.height > 80, `${css}: paywall box ${JSON.stringify(box)}`);
      await buy.click();
      await paywall(page).locator("input[name=cardnumber]").waitFor({ state: "visible" });
    }
  });
});

test("the card mount point is in the light DOM, shown through a slot; the double refuses shadow mounts", async () => {
  await withEvidence(h, "widget-slot", () => pages, async () => {
    const pw = await h.createPaywall({ markdown: "slot" });
    const page = await open(h.servePage("/slot", blogPage({ tags: [h.tag(pw.id)] })));
    await paywall(page).locator(".buy").click();
    await paywall(page).locator("input[name=cardnumber]").waitFor();
    const where = await page.evaluate(() => {
      const host = document.querySelector("plog-paywall");
      const mount = host.querySelector("plog-card");
      return {
        mountParentIsHost: mount.parentNode === host,
        mountRoot: mount.getRootNode() === document,
        slotted: mount.assignedSlot && mount.assignedSlot.getRootNode() === host.shadowRoot,
        shadowError: (() => {
          const el = host.shadowRoot.querySelector(".card");
          try { Stripe("pk_test_x").elements().create("card").mount(el); return null; } catch (e) { return e.message; }
        })(),
      };
    });
    assert.equal(where.mountParentIsHost, true);
    assert.equal(where.mountRoot, true);
    assert.equal(where.slotted, true);
    assert.equal(where.shadowError, "Elements cannot be mounted in a ShadowRoot. Please mount in the Light DOM.");
  });
});

test("inline validation messages come from the card Element's change events", async () => {
  await withEvidence(h, "widget-validation", () => pages, async () => {
    const pw = await h.createPaywall({ markdown: "validation" });
    const page = await open(h.servePage("/validation", blogPage({ tags: [h.tag(pw.id)] })));
    await paywall(page).locator(".buy").click();
    await paywall(page).locator("input[name=cardnumber]").fill("4242424242424241");
    await paywall(page).locator(".error").filter({ hasText: "Your card number is invalid." }).waitFor();
    await fillCard(page, "4242424242424242");
    await page.waitForFunction(() => document.querySelector("plog-paywall").shadowRoot.querySelector(".error").textContent.trim() === "");
  });
});

test("Japanese is chosen by data-lang or the page's lang, with the yen formatted for Japan", async () => {
  await withEvidence(h, "widget-ja", () => pages, async () => {
    const pw = await h.createPaywall({ amount: 1000, currency: "jpy", markdown: "ja" });
    const page = await open(h.servePage("/ja", blogPage({ lang: "ja", tags: [h.tag(pw.id), h.tag(pw.id, 'data-lang="en"')] })));
    await paywall(page, 1).locator(".buy").waitFor(); await widgetReady(page);
    assert.equal(await paywall(page, 0).locator(".buy").textContent(), "購入して続きを読む");
    assert.equal(await paywall(page, 0).locator(".price strong").textContent(), "￥1,000");
    assert.equal(await paywall(page, 1).locator(".buy").textContent(), "Buy to read on");
    assert.equal(await paywall(page, 1).locator(".price strong").textContent(), "¥1,000");
  });
});

test("themes: data-theme=dark and CSS custom properties reach inside the shadow root", async () => {
  await withEvidence(h, "widget-theme", () => pages, async () => {
    const pw = await h.createPaywall({ markdown: "theme" });
    const css = ".custom { --plog-accent: rgb(200, 0, 0); --plog-radius: 2px; }";
    const page = await open(h.servePage("/theme", blogPage({ css, tags: [
      h.tag(pw.id, 'data-theme="dark"'),
      `<div class="custom">${h.tag(pw.id, 'data-theme="light"')}</div>`,
    ] })));
    await paywall(page, 1).locator(".buy").waitFor(); await widgetReady(page);
    const styles = await page.evaluate(() => Array.from(document.querySelectorAll("plog-paywall")).map((host) => {
      const box = getComputedStyle(host.shadowRoot.querySelector(".paywall"));
      const buy = getComputedStyle(host.shadowRoot.querySelector(".buy"));
      return { background: box.backgroundColor, radius: box.borderRadius, button: buy.backgroundColor };
    }));
    assert.equal(styles[0].background, "rgb(28, 33, 40)");
    assert.equal(styles[1].background, "rgb(255, 255, 255)");
    assert.equal(styles[1].button, "rgb(200, 0, 0)");
    assert.equal(styles[1].radius, "2px");
    await screenshot(page, "widget-themes");
    // data-theme="auto" (the default) follows the reader's colour scheme.
    const auto = await open(h.servePage("/theme-auto", blogPage({ tags: [h.tag(pw.id)] })));
    await paywall(auto).locator(".buy").waitFor(); await widgetReady(auto);
    const background = () => auto.evaluate(() =>
      getComputedStyle(document.querySelector("plog-paywall").shadowRoot.querySelector(".paywall")).backgroundColor);
    await auto.emulateMedia({ colorScheme: "light" });
    assert.equal(await background(), "rgb(255, 255, 255)");
    await auto.emulateMedia({ colorScheme: "dark" });
    assert.equal(await background(), "rgb(28, 33, 40)");
  });
});

test("a missing paywall or an unreachable API shows a short polite message", async () => {
  await withEvidence(h, "widget-unavailable", () => pages, async () => {
    const page = await open(h.servePage("/missing", blogPage({ tags: [h.tag("pw_aaaaaaaaaaaaaaaaaaaa")] })));
    const message = paywall(page).locator(".message");
    await message.waitFor({ state: "visible" });
    assert.match(await message.textContent(), /not available right now/);
    assert.equal(await paywall(page).locator(".buy").isVisible(), false);
    assert.equal(await page.locator("#blog-footer").isVisible(), true);
  });
});

test("text and buttons meet WCAG AA contrast (4.5:1) in the light and dark themes", async () => {
  await withEvidence(h, "widget-contrast", () => pages, async () => {
    const pw = await h.createPaywall({ markdown: "contrast" });
    const page = await open(h.servePage("/contrast", blogPage({ tags: [h.tag(pw.id, 'data-theme="light"'), h.tag(pw.id, 'data-theme="dark"')] })));
    await paywall(page, 1).locator(".buy").waitFor(); await widgetReady(page);
    // The card form's error line is rendered at Buy (by the card form's chunk).
    for (const i of [0, 1]) {
      await paywall(page, i).locator(".buy").click();
      await paywall(page, i).locator("input[name=cardnumber]").waitFor();
    }
    const ratios = await page.evaluate(() => {
      const rgb = (c) => c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
      const lum = (c) => {
        const [r, g, b] = rgb(c).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
      return Array.from(document.querySelectorAll("plog-paywall")).map((host) => {
        const root = host.shadowRoot;
        const bg = getComputedStyle(root.querySelector(".paywall")).backgroundColor;
        const color = (sel) => getComputedStyle(root.querySelector(sel)).color;
        const buy = getComputedStyle(root.querySelector(".buy"));
        return {
          title: ratio(color(".title"), bg), teaser: ratio(color(".teaser"), bg), hint: ratio(color(".hint"), bg),
          error: ratio(color(".error"), bg), button: ratio(buy.color, buy.backgroundColor),
        };
      });
    });
    for (const [i, theme] of ratios.entries()) {
      for (const [part, value] of Object.entries(theme)) assert.ok(value >= 4.5, `theme ${i} ${part}: ${value.toFixed(2)}`);
    }
  });
});

test("the widget adds no global names to the blog's window (Stripe.js adds only its own)", async () => {
  await withEvidence(h, "widget-globals", () => pages, async () => {
    const pw = await h.createPaywall({ markdown: "globals" });
    const page = await h.newPage();
    pages.push(page);
    await page.addInitScript(() => { window.__plogBaseline = Object.getOwnPropertyNames(window); });
    await page.goto(h.servePage("/globals", blogPage({ tags: [h.tag(pw.id), h.tag(pw.id)] })));
    await paywall(page, 1).locator(".buy").waitFor(); await widgetReady(page);
    const added = () => page.evaluate(() => Object.getOwnPropertyNames(window).filter((n) => !window.__plogBaseline.includes(n) && n !== "__plogBaseline"));
    assert.deepEqual(await added(), []);
    await paywall(page).locator(".buy").click();
    await paywall(page).locator("input[name=cardnumber]").waitFor();
    assert.deepEqual(await added(), ["Stripe"]);
  });
});

/** The blog CSP docs/operators/security.md recommends, as one header value, with plog's origin filled in. */
function documentedCsp(plogUrl) {
  const page = readFileSync(new URL("../docs/operators/security.md", import.meta.url), "utf8");
  const block = page.split("<!-- blog-csp -->")[1].split("<!-- /blog-csp -->")[0];
  const lines = block.split("\n").filter((l) => l.trim() && !l.startsWith("```"));
  return lines.map((l) => l.trim().replaceAll("https://PLOG_HOST", plogUrl)).join("; ");
}

test("on a blog with exactly the documented strict CSP, a reader buys and the hostile parts of the content stay inert", async () => {
  await withEvidence(h, "widget-strict-csp", () => pages, async () => {
    const pw = await h.createPaywall({
      amount: 200, currency: "jpy",
      markdown: "CSP-PAID-TEXT <img src=\"x\" onerror=\"window.__pwned = 1\"> <script>window.__pwned = 2</script> [x](javascript:window.__pwned=3)",
    });
    const csp = documentedCsp(h.plogUrl);
    assert.match(csp, /'wasm-unsafe-eval'/);
    assert.doesNotMatch(csp, /unsafe-inline|'unsafe-eval'/, "the policy stays strict");
    // No inline script or style on this page: the policy allows none.
    const html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Strict</title></head>
<body><article><p id="free-part">The free part.</p>${h.tag(pw.id)}</article></body></html>`;
    const page = await h.newPage();
    pages.push(page);
    await page.addInitScript(() => {
      window.__violations = [];
      document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
    });
    const response = await page.goto(h.servePage("/strict-csp", html, { "content-security-policy": csp }));
    assert.equal(response.headers()["content-security-policy"], csp);
    await paywall(page).locator(".buy").click();
    await paywall(page).locator("input[name=cardnumber]").waitFor();
    await fillCard(page, "4242424242424242");
    await paywall(page).locator(".pay").click();
    const content = page.locator("plog-content");
    await content.waitFor({ timeout: 20000 });
    assert.match(await content.textContent(), /CSP-PAID-TEXT/);
    const inert = await page.evaluate(() => ({
      pwned: window.__pwned,
      scripts: document.querySelectorAll("plog-content script").length,
      handlers: Array.from(document.querySelectorAll("plog-content *")).flatMap((e) => e.getAttributeNames()).filter((a) => a.startsWith("on")),
      jsLinks: Array.from(document.querySelectorAll("plog-content a")).filter((a) => (a.getAttribute("href") || "").includes("javascript")).length,
    }));
    assert.deepEqual(inert, { pwned: undefined, scripts: 0, handlers: [], jsLinks: 0 });
    assert.deepEqual(await page.evaluate(() => window.__violations), [], "the widget needs nothing the policy forbids");
    const [purchase] = await h.purchases(pw.id);
    assert.equal(purchase.status, "paid");
  });
});

test("a per-site paywall works on its own blog and shows as unavailable on any other", async () => {
  await withEvidence(h, "widget-per-site", () => pages, async () => {
    const mine = await h.createPaywall({ markdown: "SITE-PAID", origins: [h.blogUrl] });
    const elsewhere = await h.createPaywall({ markdown: "SITE-PAID", origins: ["https://another-blog.example"] });
    const page = await open(h.servePage("/per-site", blogPage({ tags: [h.tag(mine.id), h.tag(elsewhere.id)] })));
    await paywall(page, 0).locator(".buy").waitFor(); await widgetReady(page);
    await paywall(page, 1).locator(".down").waitFor();
    assert.equal(await paywall(page, 1).locator(".buy").isVisible(), false, "no Buy where the paywall does not sell");
    await paywall(page, 0).locator(".buy").click();
    await paywall(page, 0).locator("input[name=cardnumber]").waitFor();
    await fillCard(page, "4242424242424242", 0);
    await paywall(page, 0).locator(".pay").click();
    await page.locator("plog-content").waitFor({ timeout: 20000 });
    assert.equal((await h.purchases(mine.id)).length, 1);
    assert.equal((await h.purchases(elsewhere.id)).length, 0);
  });
});
