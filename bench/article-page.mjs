// The article page (`/r/{id}`, issue 29), measured: the bytes before the paywall is painted —
// the page's HTML, its stylesheet, the widget's stylesheet (the painted paywall's) and the
// loader — each compressed with brotli 11 as a compressing proxy would send it; and, in headless
// Chromium on localhost, N cold loads (a fresh profile each) from navigation to the first
// contentful paint (the paywall is in the HTML, so it paints with the page) and to the widget
// having taken it over. Prints Markdown tables.
// Usage: node bench/article-page.mjs [N]
import { brotliCompressSync, constants } from "node:zlib";
import { Harness } from "../e2e/lib/harness.mjs";

const loads = Number(process.argv[2] || 30);
const h = await new Harness().start({ webhooks: false });
const free = "Sapporo's ramen is miso ramen, and the queue is part of it.\n\n".repeat(12);
const pw = await h.createPaywall({ title: "Ramen in Sapporo", teaser: "Where the locals queue.", amount: 300, markdown: "paid", free_markdown: free });
const page = `${h.plogUrl}/r/${pw.id}`;

const brotli = (bytes) => brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const html = Buffer.from(await (await fetch(page)).arrayBuffer());
const widgetCss = html.toString().match(/href="(\/widget\/plog-widget-[0-9a-f]+\.css)"/)[1];
const files = [["page HTML", page], ["page stylesheet", `${h.plogUrl}/r/page.css`], ["widget stylesheet", `${h.plogUrl}${widgetCss}`], ["loader", `${h.plogUrl}/plog.js`]];
let total = 0;
console.log("| before the paywall is painted (brotli 11) | bytes |\n|---|---:|");
for (const [name, url] of files) {
  const size = brotli(Buffer.from(await (await fetch(url)).arrayBuffer()));
  total += size;
  console.log(`| ${name} | ${size.toLocaleString("en")} |`);
}
console.log(`| **total** (target ≤ 15,000) | **${total.toLocaleString("en")}** (${total <= 15000 ? "met" : "NOT met"}) |\n`);

const paint = [];
const takeover = [];
for (let i = 0; i < loads; i++) {
  const tab = await h.newPage();
  await tab.goto(page);
  await tab.waitForFunction(() => document.querySelector("plog-paywall")?.querySelector("plog-card"));
  const [fcp, ready] = await tab.evaluate(() => [
    performance.getEntriesByName("first-contentful-paint")[0]?.startTime,
    performance.now(),
  ]);
  paint.push(fcp);
  takeover.push(ready);
  await tab.context().close();
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];
console.log(`| from navigation to … (${loads} cold loads) | median ms | p95 ms |\n|---|---:|---:|`);
console.log(`| first contentful paint (the locked paywall with it) | ${median(paint).toFixed(1)} | ${p95(paint).toFixed(1)} |`);
console.log(`| the widget has taken the paywall over (at most: measured when the check saw it) | ${median(takeover).toFixed(1)} | ${p95(takeover).toFixed(1)} |`);
await h.close();
