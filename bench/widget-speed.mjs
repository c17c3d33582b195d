// How the widget loads, measured in headless Chromium on localhost (issue 16's figures):
//   - the bytes a new reader downloads before the locked paywall is painted (loader, the painted
//     view, the stylesheet) and before Stripe.js (plus the widget's glue and .wasm), each
//     response's body compressed with brotli 11 as a compressing proxy would send it;
//   - per part of the split widget (widget/src/chunks.rs): the takeover (glue, the chunks' loader
//     and the main .wasm) and everything a card buyer fetches before Stripe.js (the takeover
//     plus the card form's chunk and the code it shares);
//   - from a press whose chunk is not fetched yet (no pointer over the paywall before it) to its
//     form usable: "Have a code?" and "Already bought?";
//   - from the tag's script running (the loader inserting its element; Chromium runs an async
//     script a while after it arrived, which is reported apart) to the locked paywall painted, to the paid part shown for a returning reader (and whether any
//     widget code was fetched), and to the card form usable when Buy is pressed as soon as it
//     shows on a cold page.
// Each load is cold: a fresh browser profile, nothing cached. Prints Markdown tables.
// Usage: node bench/widget-speed.mjs [N]
import { brotliCompressSync, constants } from "node:zlib";
import { Harness, blogPage, SECRET_KEY } from "../e2e/lib/harness.mjs";

const loads = Number(process.argv[2] || 30);
// Mail on: the restore link shows only where plog sends mail.
const h = await new Harness().start({ webhooks: false, mail: true });

// Records, on the first animation frame where each state is in the DOM, when it was reached
// (the frame paints right after). Bench-only: the widget has no timing code of its own.
const probe = `
  window.__plogBench = {};
  // The loader inserts its <plog-paywall> as the first thing it does: that is when the tag's
  // script runs (Chromium runs an async script some time after it arrived, around first paint).
  new MutationObserver((records, observer) => {
    if (document.querySelector("plog-paywall, plog-content")) {
      __plogBench.start = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
  const tick = () => {
    const host = document.querySelector("plog-paywall");
    const shadow = host && host.shadowRoot;
    if (!__plogBench.locked && shadow && shadow.querySelector(".paywall.locked")) {
      __plogBench.locked = performance.now();
      // The buying reader presses Buy in the very frame it shows (a real click, not a script
      // call: the event goes through the loader's listeners like a pointer's).
      if (window.__plogBenchPress) shadow.querySelector(".buy").dispatchEvent(new MouseEvent("click", { bubbles: true, composed: true }));
    }
    if (!__plogBench.unlocked && document.querySelector("plog-content")) __plogBench.unlocked = performance.now();
    const card = document.querySelector("plog-card input");
    if (!__plogBench.card && card && card.checkVisibility()) __plogBench.card = performance.now();
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);`;

const brotli = (body) => brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

/** One cold load: the time to `state` after plog.js arrived, and the brotli size of every
 * response from plog by kind. `setup` runs in the page before its scripts. */
async function load(url, state, { setup } = {}) {
  const context = await h.browser.newContext();
  await context.addInitScript(probe);
  if (setup) await context.addInitScript(setup);
  const page = await context.newPage();
  const bodies = [];
  page.on("response", async (r) => {
    if (!r.url().startsWith(h.plogUrl)) return;
    bodies.push(r.body().then((b) => ({ url: r.url(), bytes: brotli(b) })).catch(() => ({ url: r.url(), bytes: 0 })));
  });
  await page.goto(url, { waitUntil: "commit" });
  await page.waitForFunction((s) => window.__plogBench[s], state, { timeout: 15000 });
  const { ms, waited } = await page.evaluate((s) => {
    const loader = performance.getEntriesByType("resource").find((e) => e.name.endsWith("/plog.js"));
    return { ms: window.__plogBench[s] - window.__plogBench.start, waited: window.__plogBench.start - loader.responseEnd };
  }, state);
  await page.waitForLoadState("networkidle");
  const sizes = await Promise.all(bodies);
  await context.close();
  return { ms, waited, sizes };
}

/** One cold load, the widget taken over with no pointer over the paywall: then `button` is
 * clicked and the time to `input` usable measured from the click. The chunk named `chunk` must
 * not have been fetched before the click. */
async function pressOnce(url, button, input, chunk) {
  const context = await h.browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => document.querySelector("plog-paywall plog-card"));
  const ms = await page.evaluate(([button, input, chunk]) => new Promise((resolve, reject) => {
    if (performance.getEntriesByType("resource").some((e) => e.name.includes(chunk))) reject(new Error(`${chunk} came before the press`));
    const root = document.querySelector("plog-paywall").shadowRoot;
    const start = performance.now();
    root.querySelector(button).dispatchEvent(new MouseEvent("click", { bubbles: true, composed: true }));
    const tick = () => {
      const field = root.querySelector(input);
      if (field && field.checkVisibility()) resolve(performance.now() - start);
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }), [button, input, chunk]);
  await context.close();
  return { ms };
}

/** The median and 95th percentile of `samples` (milliseconds). */
function spread(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { median: at(0.5), p95: at(0.95) };
}

async function measurePress(url, button, input, chunk) {
  const samples = [];
  for (let i = 0; i < loads; i++) samples.push((await pressOnce(url, button, input, chunk)).ms);
  return spread(samples);
}

async function measure(url, state, options) {
  const runs = [];
  for (let i = 0; i < loads; i++) runs.push(await load(url, state, options));
  const waits = runs.map((r) => r.waited).sort((a, b) => a - b);
  return { ...spread(runs.map((r) => r.ms)), waited: waits[Math.floor(waits.length / 2)], sizes: runs[0].sizes, runs };
}

const kind = (url) => {
  const path = new URL(url).pathname;
  if (path === "/plog.js") return "loader";
  if (path.endsWith("/view")) return "view";
  if (path.endsWith(".css")) return "stylesheet";
  if (/\/widget\/plog-widget-[0-9a-f]+_bg\.wasm$/.test(path)) return "wasm";
  if (/\/widget\/plog-widget-[0-9a-f]+\.js$/.test(path)) return "glue";
  if (/\/widget\/plog-widget-[0-9a-f]+-chunks\.js$/.test(path)) return "chunk loader";
  if (/\/widget\/plog-widget-[0-9a-f]+-split_checkout\.wasm$/.test(path)) return "card form chunk";
  if (/\/widget\/plog-widget-[0-9a-f]+-chunk_\d+\.wasm$/.test(path)) return "shared chunks";
  if (/\/widget\/plog-widget-[0-9a-f]+-split_[a-z]+\.wasm$/.test(path)) return "other chunks";
  return "other";
};
const bytesOf = (sizes, kinds) => sizes.filter((s) => kinds.includes(kind(s.url))).reduce((n, s) => n + s.bytes, 0);

try {
  const pw = await h.createPaywall({ markdown: "The paid part." });
  const url = h.servePage("/speed", blogPage({ tags: [h.tag(pw.id)] }));
  // A paid purchase for the returning reader: created through the API, paid in localstripe.
  const purchase = await (await fetch(`${h.plogUrl}/v1/paywalls/${pw.id}/purchases`, { method: "POST" })).json();
  const intent = purchase.client_secret.split("_secret_")[0];
  const form = (o) => ({ method: "POST", headers: { authorization: `Bearer ${SECRET_KEY}`, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(o) });
  const pm = await (await fetch(`${h.stripeUrl}/v1/payment_methods`, form({ type: "card", "card[number]": "4242424242424242", "card[exp_month]": "12", "card[exp_year]": "2034", "card[cvc]": "123" }))).json();
  await fetch(`${h.stripeUrl}/v1/payment_intents/${intent}`, form({ payment_method: pm.id }));
  await fetch(`${h.stripeUrl}/v1/payment_intents/${intent}/confirm`, form({}));
  const paid = await fetch(`${h.plogUrl}/v1/paywalls/${pw.id}/content`, { headers: { authorization: `Bearer ${purchase.access_token}` } });
  if (paid.status !== 200) throw new Error(`the returning reader's purchase is not paid: ${paid.status}`);
  const key = `plog:token:${h.plogUrl}:${pw.id}`;
  const setToken = `localStorage.setItem(${JSON.stringify(key)}, ${JSON.stringify(purchase.access_token)});`;

  const locked = await measure(url, "locked");
  const returning = await measure(url, "unlocked", { setup: setToken });
  const buying = await measure(url, "card", { setup: "window.__plogBenchPress = true;" });
  const widgetFetched = returning.runs.filter((r) => r.sizes.some((s) => ["wasm", "glue"].includes(kind(s.url)))).length;
  await h.admin("POST", "/v1/admin/discounts", { code: "BENCH", percent_off: 10, applies_to: [pw.id] });
  const codePress = await measurePress(url, ".code-open", "input[part=code-input]", "split_codes");
  const restorePress = await measurePress(url, ".restore-open", "input[part=restore-email-input]", "split_restore");

  console.log("| bytes (brotli 11) | bytes | target | |");
  console.log("|---|---:|---:|---|");
  const bytesRow = (name, n, target) => console.log(`| ${name} | ${n.toLocaleString("en")} | ≤ ${target.toLocaleString("en")} | ${n <= target ? "met" : "NOT met"} |`);
  const takeover = ["glue", "chunk loader", "wasm"];
  const card = ["card form chunk", "shared chunks"];
  for (const part of ["loader", "view", "stylesheet", ...takeover, ...card]) {
    console.log(`| — ${part} | ${bytesOf(buying.sizes, [part]).toLocaleString("en")} | | |`);
  }
  bytesRow("before the locked paywall is painted (loader + view + stylesheet)", bytesOf(locked.sizes, ["loader", "view", "stylesheet"]), 6000);
  bytesRow("the takeover, before any press (glue + chunks' loader + .wasm)", bytesOf(locked.sizes, takeover), 30000);
  bytesRow("everything a card buyer fetches before Stripe.js (+ loader, view, stylesheet, the card form's chunks)", bytesOf(buying.sizes, ["loader", "view", "stylesheet", ...takeover, ...card]), 45000);
  const stray = locked.sizes.filter((s) => ["card form chunk", "shared chunks", "other chunks"].includes(kind(s.url)));
  console.log();
  console.log(`Chunks fetched by a new reader who presses nothing: ${stray.length} (${stray.map((s) => s.url.split("/").pop()).join(", ") || "none"}).`);
  console.log();
  const row = (name, m, target, p95) =>
    `| ${name} | ${m.median.toFixed(1)} | ${m.p95.toFixed(1)} | ≤ ${target}${p95 ? ` (p95 ≤ ${p95})` : ""} | ${m.median <= target && (!p95 || m.p95 <= p95) ? "met" : "NOT met"} |`;
  console.log(`| from the tag's script running to … (${loads} cold loads) | median ms | p95 ms | target | |`);
  console.log("|---|---:|---:|---:|---|");
  console.log(row("locked paywall painted (new reader)", locked, 50, 80));
  console.log(row("paid part shown (returning reader)", returning, 40));
  console.log(row("card form usable, Buy pressed as soon as it shows (cold page)", buying, 250));
  console.log(row("\"Have a code?\" pressed, its chunk not fetched → the code field usable (from the press)", codePress, 150));
  console.log(row("\"Already bought?\" pressed, its chunk not fetched → the address field usable (from the press)", restorePress, 150));
  console.log();
  console.log(`Returning readers' loads that fetched the widget's code: ${widgetFetched} of ${loads}.`);
  console.log(`Chromium ran the downloaded loader ${locked.waited.toFixed(1)} ms (median) after it arrived; the times above start when it ran.`);
} finally {
  await h.close();
}
