// The widget's code in chunks (widget/src/chunks.rs, scripts/build-widget): the takeover fetches
// the main module only; the card form's chunk comes with Buy (once, however often it is pressed),
// restore's and codes' with their own parts; the first sign of intent fetches a chunk before its
// press; a chunk that cannot be fetched says so, and the next press fetches it again.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Harness, blogPage, paywall, fillCard, withEvidence, widgetReady, press, CARDS } from "./lib/harness.mjs";

let h;
const pages = [];
before(async () => { h = await new Harness().start({ mail: true }); });
after(async () => { await h?.close(); });

/** The build's chunk files: `plog-widget-HASH-split_NAME.wasm` (one per chunk of
 * widget/src/chunks.rs) and `plog-widget-HASH-chunk_N.wasm` (code two chunks share). */
const CHUNK = /\/widget\/plog-widget-[0-9a-f]+-(split_[a-z]+|chunk_\d+)\.wasm$/;
/** The chunks the page asked for (the harness records every request's URL), in order. */
const chunksFetched = (page) =>
  page.requests.map((url) => url.match(CHUNK)).filter(Boolean).map((m) => m[1]);
const count = (list, name) => list.filter((n) => n === name).length;

async function openPage(path, tags, lang = "en") {
  const page = await h.newPage();
  pages.push(page);
  await page.goto(h.servePage(path, blogPage({ tags, lang })));
  return page;
}

test("the takeover fetches no chunk; Buy fetches the card form's once; restore and codes fetch their own on intent", async () => {
  await withEvidence(h, "chunks-boundaries", () => pages, async () => {
    const pw = await h.createPaywall({ amount: 300, markdown: "chunked part" });
    await h.admin("POST", "/v1/admin/discounts", { code: "CHUNK", percent_off: 10, applies_to: [pw.id] });
    const page = await openPage("/chunks-boundaries", [h.tag(pw.id)]);
    // The paywall comes into view with no pointer over it and no focus in it: the loader fetches
    // the widget on idle, and the widget takes the painted view over.
    await widgetReady(page);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    assert.ok(page.requests.some((u) => /plog-widget-[0-9a-f]+_bg\.wasm$/.test(u)), "the takeover's module came");
    assert.deepEqual(chunksFetched(page), [], "the takeover fetched no chunk");

    // A pointer over "Have a code?" fetches the codes chunk, and no other.
    await paywall(page).locator(".code-open").hover();
    await page.waitForFunction(() => performance.getEntriesByType("resource").some((e) => /-split_codes\.wasm$/.test(e.name)));
    assert.equal(count(chunksFetched(page), "split_checkout"), 0, "a pointer on the code link fetches no card form");
    assert.equal(count(chunksFetched(page), "split_restore"), 0);
    await paywall(page).locator(".code-open").click();
    await paywall(page).locator("input[part=code-input]").fill("CHUNK");
    await paywall(page).locator(".code-form button").click();
    await paywall(page).locator("[part=code-message]").filter({ hasText: "CHUNK" }).waitFor();

    // Restore's chunk: on a pointer over its link.
    await paywall(page).locator(".restore-open").hover();
    await page.waitForFunction(() => performance.getEntriesByType("resource").some((e) => /-split_restore\.wasm$/.test(e.name)));
    assert.equal(count(chunksFetched(page), "split_checkout"), 0, "a pointer on restore fetches no card form");

    // Buy, Cancel, Buy again, then pay: the card form's chunk is fetched once.
    await paywall(page).locator(".buy").click();
    await paywall(page).locator("input[name=cardnumber]").waitFor();
    await paywall(page).locator(".secondary", { hasText: "Cancel" }).click();
    await paywall(page).locator(".buy").click();
    await fillCard(page, CARDS.ok);
    await paywall(page).locator(".pay").click();
    await page.locator("plog-content").filter({ hasText: "chunked part" }).waitFor();
    const fetched = chunksFetched(page);
    assert.equal(count(fetched, "split_checkout"), 1, `the card form's chunk, once: ${fetched}`);
    assert.equal(count(fetched, "split_restore"), 1, `${fetched}`);
    assert.equal(count(fetched, "split_codes"), 1, `${fetched}`);
    for (const shared of new Set(fetched.filter((n) => n.startsWith("chunk_")))) {
      assert.equal(count(fetched, shared), 1, `a shared chunk is fetched once: ${fetched}`);
    }
    const purchases = await h.purchases(pw.id);
    assert.equal(purchases.filter((p) => p.status === "paid").length, 1);
    assert.equal(purchases.find((p) => p.status === "paid").price.amount, 270, "the code's price was paid");
    assert.deepEqual(page.consoleErrors.filter((e) => !e.includes("favicon")), []);
  });
});

test("a pointer over the paywall fetches the card form's chunk before Buy is pressed", async () => {
  await withEvidence(h, "chunks-intent", () => pages, async () => {
    const pw = await h.createPaywall({ amount: 300, markdown: "intent part" });
    const page = await openPage("/chunks-intent", [h.tag(pw.id)]);
    await widgetReady(page);
    assert.deepEqual(chunksFetched(page), []);
    await paywall(page).locator(".buy").hover();
    await page.waitForFunction(() => performance.getEntriesByType("resource").some((e) => /-split_checkout\.wasm$/.test(e.name)));
    assert.equal((await h.purchases(pw.id)).length, 0, "intent starts no purchase");
    await paywall(page).locator(".buy").click();
    await paywall(page).locator("input[name=cardnumber]").waitFor();
    assert.equal(count(chunksFetched(page), "split_checkout"), 1, "Buy used the chunk the pointer fetched");
  });
});

test("a chunk that cannot be fetched: the paywall says it is not available, in the reader's language, and the next press fetches it again", async () => {
  await withEvidence(h, "chunks-unreachable", () => pages, async () => {
    const pw = await h.createPaywall({ amount: 300, markdown: "chunk retried part" });
    const page = await h.newPage();
    pages.push(page);
    let blocked = true;
    await page.route(/-split_checkout\.wasm$/, (route) => (blocked ? route.abort("internetdisconnected") : route.continue()));
    await page.goto(h.servePage("/chunks-unreachable", blogPage({ tags: [h.tag(pw.id)], lang: "ja" })));
    await widgetReady(page);
    await press(paywall(page).locator(".buy"));
    const status = paywall(page).locator("[part=status]");
    await status.filter({ hasText: "現在この有料部分を表示できません" }).waitFor();
    assert.equal(await paywall(page).locator(".paywall.locked").count(), 1, "back to the locked paywall");
    assert.equal(await paywall(page).locator("input[name=cardnumber]").count(), 0, "no card form");
    assert.ok(count(chunksFetched(page), "split_checkout") >= 1, "the chunk was asked for");

    blocked = false;
    await press(paywall(page).locator(".buy"));
    await paywall(page).locator("input[name=cardnumber]").waitFor();
    await fillCard(page, CARDS.ok);
    await paywall(page).locator(".pay").click();
    await page.locator("plog-content").filter({ hasText: "chunk retried part" }).waitFor();
    const purchases = await h.purchases(pw.id);
    assert.equal(purchases.filter((p) => p.status === "paid").length, 1, "one paid purchase");
  });
});

test("the code field's chunk cannot be fetched: the paywall says so, and the next press on \"Have a code?\" opens it", async () => {
  await withEvidence(h, "chunks-codes-unreachable", () => pages, async () => {
    const pw = await h.createPaywall({ amount: 300, markdown: "code retried part" });
    await h.admin("POST", "/v1/admin/discounts", { code: "AGAIN", percent_off: 50, applies_to: [pw.id] });
    const page = await h.newPage();
    pages.push(page);
    let blocked = true;
    await page.route(/-split_codes\.wasm$/, (route) => (blocked ? route.abort("internetdisconnected") : route.continue()));
    await page.goto(h.servePage("/chunks-codes-unreachable", blogPage({ tags: [h.tag(pw.id)] })));
    await widgetReady(page);
    await press(paywall(page).locator(".code-open"));
    await paywall(page).locator("[part=status]").filter({ hasText: "not available right now" }).waitFor();
    assert.equal(await paywall(page).locator("input[part=code-input]").count(), 0, "no code field");
    assert.equal(await paywall(page).locator(".paywall.locked").count(), 1, "still the locked paywall");

    blocked = false;
    await press(paywall(page).locator(".code-open"));
    await paywall(page).locator("input[part=code-input]").fill("AGAIN");
    await paywall(page).locator(".code-form button").click();
    await paywall(page).locator("[part=code-message]").filter({ hasText: "AGAIN" }).waitFor();
    assert.doesNotMatch(await paywall(page).locator("[part=status]").textContent(), /not available/, "the notice went");
  });
});
