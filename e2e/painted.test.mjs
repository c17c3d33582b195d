// How the widget loads: the locked paywall painted from the server's HTML before any
// WebAssembly, the widget's takeover (pixel for pixel, the reader's first press kept), a
// returning reader who never downloads the widget, and the paywalled-content structured data.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Harness, blogPage, paywall, fillCard, screenshot, withEvidence, widgetReady, pixelsApart, buy, press, CARDS } from "./lib/harness.mjs";

let h;
const pages = [];
before(async () => { h = await new Harness().start(); });
after(async () => { await h?.close(); });

const WIDGET_CODE = /\/widget\/plog-widget-[0-9a-f]+(_bg\.wasm|\.js)$/;

/** A page whose widget code (glue and .wasm) is held back until `release()` is called. */
async function heldPage(url) {
  const page = await h.newPage();
  pages.push(page);
  let release;
  const gate = new Promise((r) => { release = r; });
  await page.route(WIDGET_CODE, async (route) => { await gate; await route.continue(); });
  await page.goto(url);
  return { page, release };
}

const tookOver = (page) => page.evaluate(() => !!document.querySelector("plog-paywall plog-card"));

test("the locked paywall is painted before the widget's code, and the takeover changes no pixel", async () => {
  await withEvidence(h, "painted-takeover", () => pages, async () => {
    const fixed = await h.createPaywall({ title: "Painted first", amount: 300, markdown: "fixed part" });
    const chooser = await h.createPaywall({ title: "選べる金額", amount: 300, markdown: "pwyw part", mode: "pay_what_you_want", suggested_amount: 500 });
    const tips = await h.createPaywall({ title: "Tip jar", amount: 100, markdown: "thanks", mode: "tip", show_count: true });
    const cases = [
      ["light", h.tag(fixed.id, 'data-theme="light"'), "en"],
      ["dark, Japanese, pay what you want", h.tag(chooser.id, 'data-theme="dark"'), "ja"],
      ["tip jar", h.tag(tips.id), "en"],
    ];
    for (const [name, tag, lang] of cases) {
      const { page, release } = await heldPage(h.servePage(`/painted-${cases.findIndex((c) => c[0] === name)}`, blogPage({ tags: [tag], lang })));
      await paywall(page).locator(".buy").waitFor();
      assert.equal(await tookOver(page), false, `${name}: painted without the widget`);
      assert.equal(page.responses.filter((r) => r.url().endsWith(".wasm")).length, 0, `${name}: no .wasm arrived yet`);
      const host = page.locator("plog-paywall");
      await page.waitForTimeout(100);
      const before = await host.screenshot();
      release();
      await widgetReady(page);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const after = await host.screenshot();
      assert.equal(pixelsApart(before, after), 0, `${name}: the widget's first render is the painted view, pixel for pixel`);
      assert.deepEqual(page.consoleErrors.filter((e) => !e.includes("favicon")), [], name);
    }
    await screenshot(pages.at(-2), "painted-dark-ja");
  });
});

test("a press on the painted Buy before the widget came carries on into the card form", async () => {
  await withEvidence(h, "painted-first-press", () => pages, async () => {
    const pw = await h.createPaywall({ amount: 300, markdown: "first press part" });
    const { page, release } = await heldPage(h.servePage("/first-press", blogPage({ tags: [h.tag(pw.id)] })));
    await paywall(page).locator(".buy").click();
    await page.waitForTimeout(200);
    assert.equal(await tookOver(page), false, "the widget's code is still held back");
    release();
    // The one press opens the card form once the widget is there; nothing else is pressed.
    await paywall(page).locator("input[name=cardnumber]").waitFor();
    assert.equal((await h.purchases(pw.id)).length, 1, "one purchase, from the one press");
    await fillCard(page, CARDS.ok);
    await paywall(page).locator(".pay").click();
    await page.locator("plog-content").filter({ hasText: "first press part" }).waitFor();
  });
});

test("if the widget's code cannot be fetched, a press says so in the reader's language, and the next press tries again", async () => {
  await withEvidence(h, "painted-code-unreachable", () => pages, async () => {
    const pw = await h.createPaywall({ amount: 300, markdown: "retried part" });
    const page = await h.newPage();
    pages.push(page);
    let blocked = true;
    await page.route(WIDGET_CODE, (route) => (blocked ? route.abort("internetdisconnected") : route.continue()));
    await page.goto(h.servePage("/code-unreachable", blogPage({ tags: [h.tag(pw.id)], lang: "ja" })));
    await paywall(page).locator(".buy").click();
    const status = paywall(page).locator("[part=status]");
    await status.filter({ hasText: "現在この有料部分を表示できません" }).waitFor();
    assert.equal(await tookOver(page), false);
    assert.equal((await h.purchases(pw.id)).length, 0, "nothing was started");
    blocked = false;
    await press(paywall(page).locator(".buy"));
    await paywall(page).locator("input[name=cardnumber]").waitFor();
    assert.equal((await h.purchases(pw.id)).length, 1, "the press after the failure bought, once");
  });
});

test("a chip then Buy pressed before the widget came: both carry on, in order", async () => {
  await withEvidence(h, "painted-two-presses", () => pages, async () => {
    const pw = await h.createPaywall({ amount: 300, markdown: "two presses part", mode: "pay_what_you_want", suggested_amount: 500 });
    const { page, release } = await heldPage(h.servePage("/two-presses", blogPage({ tags: [h.tag(pw.id)] })));
    await paywall(page).locator(".chip", { hasText: "¥300" }).click();
    await paywall(page).locator(".buy").click();
    release();
    await paywall(page).locator("input[name=cardnumber]").waitFor();
    assert.match(await paywall(page).locator(".pay").textContent(), /¥300/, "the chip chosen first is what Pay charges");
    const purchases = await h.purchases(pw.id);
    assert.equal(purchases.length, 1);
    assert.equal(purchases[0].price.amount, 300);
  });
});

test("an amount typed and a focus made before the widget came are kept by it", async () => {
  await withEvidence(h, "painted-typed", () => pages, async () => {
    const pw = await h.createPaywall({ amount: 300, markdown: "typed part", mode: "pay_what_you_want" });
    const { page, release } = await heldPage(h.servePage("/typed", blogPage({ tags: [h.tag(pw.id)] })));
    const input = paywall(page).locator("input[part=amount-input]");
    await input.fill("1200");
    release();
    await widgetReady(page);
    assert.equal(await input.inputValue(), "1200");
    assert.equal(await page.evaluate(() => document.querySelector("plog-paywall").shadowRoot.activeElement?.getAttribute("part")), "amount-input");
    // The widget took the typed amount: it is what Pay charges and what the purchase asks for.
    await paywall(page).locator(".buy").click();
    await page.waitForFunction(() => document.querySelector("plog-paywall").shadowRoot.querySelector(".pay")?.textContent.includes("¥1,200"));
    const purchases = await h.purchases(pw.id);
    assert.equal(purchases.length, 1);
    assert.equal(purchases[0].price.amount, 1200);
  });
});

test("a returning reader sees the paid part with one request and no widget code", async () => {
  await withEvidence(h, "painted-returning", () => pages, async () => {
    const pw = await h.createPaywall({ amount: 300, markdown: "returning part" });
    const url = h.servePage("/returning", blogPage({ tags: [h.tag(pw.id)] }));
    const page = await h.newPage();
    pages.push(page);
    await page.goto(url);
    await buy(page, CARDS.ok);
    await page.locator("plog-content").filter({ hasText: "returning part" }).waitFor();

    // The same browser, a fresh cache: only the loader and one content request.
    const again = await page.context().newPage();
    pages.push(again);
    const requests = [];
    again.on("request", (r) => requests.push(r.url()));
    await again.route("**/*", (route) => route.continue({ headers: { ...route.request().headers(), "cache-control": "no-cache" } }));
    await again.goto(url);
    await again.locator("plog-content").filter({ hasText: "returning part" }).waitFor();
    await again.waitForTimeout(300);
    const plog = requests.filter((u) => u.startsWith(h.plogUrl));
    assert.deepEqual(plog.map((u) => new URL(u).pathname), ["/plog.js", `/v1/paywalls/${pw.id}/content`], plog.join("\n"));
    assert.equal(await again.locator("plog-paywall").count(), 0);
  });
});

test("the page carries paywalled-content structured data naming the paywall's class", async () => {
  await withEvidence(h, "painted-structured-data", () => pages, async () => {
    const first = await h.createPaywall({ markdown: "one" });
    const second = await h.createPaywall({ markdown: "two" });
    const page = await h.newPage();
    pages.push(page);
    await page.goto(h.servePage("/structured", blogPage({ tags: [h.tag(first.id), h.tag(second.id)] })));
    await paywall(page, 1).locator(".buy").waitFor();
    const blocks = await page.evaluate(() =>
      [...document.querySelectorAll('script[type="application/ld+json"]')].map((s) => JSON.parse(s.textContent)));
    assert.equal(blocks.length, 1, "one block for the page, however many tags");
    const [data] = blocks;
    assert.equal(data["@context"], "https://schema.org");
    assert.equal(data.isAccessibleForFree, false);
    assert.equal(data.hasPart.isAccessibleForFree, false);
    const selected = await page.evaluate((selector) => [...document.querySelectorAll(selector)].map((n) => n.tagName.toLowerCase()), data.hasPart.cssSelector);
    assert.deepEqual(selected, ["plog-paywall", "plog-paywall"], "the selector names the paywalls' host elements");
  });
});
