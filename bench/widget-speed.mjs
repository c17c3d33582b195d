// Widget speed in headless Chromium on localhost: from the moment the tag's script is ready to
// run (plog.js downloaded: the async script runs right then) to (1) the locked paywall on screen
// and (2) the paid content on screen for a returning reader. Each load is cold: a fresh browser
// profile, so nothing is cached. Prints a Markdown table. Usage: node bench/widget-speed.mjs [N]
import { Harness, blogPage, SECRET_KEY } from "../e2e/lib/harness.mjs";

const loads = Number(process.argv[2] || 30);
const h = await new Harness().start({ webhooks: false });

// Records, on the first animation frame where each state is in the DOM, when it was reached
// (the frame paints right after). Bench-only: the widget has no timing code of its own.
const probe = `
  window.__plogBench = {};
  const tick = () => {
    const host = document.querySelector("plog-paywall");
    if (!__plogBench.locked && host && host.shadowRoot && host.shadowRoot.querySelector(".paywall.locked")) __plogBench.locked = performance.now();
    if (!__plogBench.unlocked && document.querySelector("plog-content")) __plogBench.unlocked = performance.now();
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);`;

async function measure(url, state, setup) {
  const samples = [];
  for (let i = 0; i < loads; i++) {
    const context = await h.browser.newContext();
    await context.addInitScript(probe);
    if (setup) await context.addInitScript(setup);
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction((s) => window.__plogBench[s], state, { timeout: 15000 });
    const ms = await page.evaluate((s) => {
      const loader = performance.getEntriesByType("resource").find((e) => e.name.endsWith("/plog.js"));
      return window.__plogBench[s] - loader.responseEnd;
    }, state);
    samples.push(ms);
    await context.close();
  }
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.ceil(q * samples.length) - 1)];
  return { median: at(0.5), p95: at(0.95) };
}

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
  const returning = await measure(url, "unlocked", setToken);
  const row = (name, m, target) =>
    `| ${name} | ${m.median.toFixed(1)} | ${m.p95.toFixed(1)} | ≤ ${target} | ${m.median <= target ? "met" : "NOT met"} |`;
  console.log("| from the tag's script running to … | median ms | p95 ms | target (median) | |");
  console.log("|---|---:|---:|---:|---|");
  console.log(row("locked paywall painted (new reader)", locked, 150));
  console.log(row("paid content shown (returning reader)", returning, 200));
} finally {
  await h.close();
}
