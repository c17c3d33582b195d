// Test harness for plog's browser tests: starts a real localstripe, a real plog (sandbox mode,
// fresh SQLite file, the release widget from dist/) and a sample blog on another origin, and
// launches Debian's Chromium through playwright-core. Everything it starts, it stops.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, rmSync, mkdirSync, existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";
import { inflateSync } from "node:zlib";
import { chromium } from "playwright-core";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const OUTPUT = join(ROOT, "test-output", "e2e");
export const ADMIN_TOKEN = "e2e-admin-token-0123456789abcdefgh";
export const WEBHOOK_SECRET = "whsec_e2e_secret";
export const SECRET_KEY = "sk_test_e2e";
export const PUBLISHABLE_KEY = "pk_test_e2e";
export const CARDS = { ok: "4242424242424242", declined: "4000000000000341", threeDS: "4000002760003184" };

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function waitFor(url, ms = 30000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${url}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function start(name, command, args, env, logDir) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const log = [];
  child.stdout.on("data", (d) => log.push(d.toString()));
  child.stderr.on("data", (d) => log.push(d.toString()));
  child.name = name;
  child.log = log;
  return child;
}

function stop(child) {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 3000);
  });
}

/** The Stripe API version plog pins (its one constant, in api/src/stripe/mod.rs). */
export function pinnedStripeVersion() {
  const source = readFileSync(join(ROOT, "api/src/stripe/mod.rs"), "utf8");
  return source.match(/pub const API_VERSION: &str = "([^"]+)";/)[1];
}

/** A page of a sample blog with the given tags (HTML strings) in the middle of an article. */
export function blogPage({ title = "A blog post", tags = [], css = "", csp = null, lang = "en" } = {}) {
  const meta = csp ? `<meta http-equiv="Content-Security-Policy" content="${csp}">` : "";
  return `<!DOCTYPE html><html lang="${lang}"><head><meta charset="utf-8"><link rel="icon" href="data:,">${meta}<title>${title}</title>
<style>body{font-family:Georgia,serif;max-width:40em;margin:2em auto;line-height:1.6}${css}</style></head>
<body><header><h1 id="blog-title">${title}</h1></header>
<article><p id="free-part">This is the free part of the article, readable by everyone.</p>
${tags.join("\n<p class=\"between\">Some text between the paywalls.</p>\n")}
<footer id="blog-footer"><p>© The blogger</p></footer></article></body></html>`;
}

export class Harness {
  /** `env`: more of plog's variables (they win over the defaults below). */
  async start({ webhooks = true, mail = false, env = {} } = {}) {
    mkdirSync(OUTPUT, { recursive: true });
    this.dir = mkdtempSync(join(tmpdir(), "plog-e2e-"));
    const [stripePort, plogPort, blogPort] = [await freePort(), await freePort(), await freePort()];
    this.stripeUrl = `http://127.0.0.1:${stripePort}`;
    this.plogPort = plogPort;
    this.plogUrl = `http://127.0.0.1:${plogPort}`;
    this.blogUrl = `http://localhost:${blogPort}`; // another origin than plog's 127.0.0.1
    // localstripe behind plog's gateway, which teaches it the Stripe API version plog pins.
    const localstripe = process.env.PLOG_LOCALSTRIPE || join(ROOT, ".tools/localstripe/bin/localstripe");
    this.localstripe = start("localstripe", join(dirname(localstripe), "python"), [
      join(ROOT, "sandbox/stripe_gateway.py"), "--port", String(stripePort), "--api-version", pinnedStripeVersion(),
      "--localstripe", localstripe,
    ], {});
    await waitFor(`${this.stripeUrl}/v1/balance`);
    if (mail) {
      // A real SMTP server that keeps what it gets (sandbox/mail_catcher.py, aiosmtpd).
      const [smtpPort, inboxPort] = [await freePort(), await freePort()];
      this.mailUrl = `http://127.0.0.1:${inboxPort}`;
      this.mailCatcher = start("mail", join(dirname(localstripe), "python"), [
        join(ROOT, "sandbox/mail_catcher.py"), "--smtp-port", String(smtpPort), "--http-port", String(inboxPort),
      ], {});
      await waitFor(`${this.mailUrl}/messages`);
      this.mailEnv = { PLOG_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, PLOG_MAIL_FROM: "Ramen Notes <receipts@plog.test>" };
    }
    this.plogEnv = {
      ...(this.mailEnv || {}),
      PLOG_DATABASE_URL: `sqlite://${join(this.dir, "plog.db")}`,
      PLOG_LISTEN: `127.0.0.1:${plogPort}`,
      PLOG_ADMIN_TOKEN: ADMIN_TOKEN,
      PLOG_SANDBOX: "true",
      STRIPE_SECRET_KEY: SECRET_KEY,
      STRIPE_PUBLISHABLE_KEY: PUBLISHABLE_KEY,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_BASE: this.stripeUrl,
      RUST_LOG: "info",
      // Every browser test buys from 127.0.0.1, faster than any reader would; the defaults are
      // tested by the API suite.
      PLOG_RATE_PER_IP: "600/min",
      PLOG_RATE_MAX_PENDING_PER_IP: "500",
      ...env,
    };
    await this.startPlog();
    if (webhooks) await this.enableWebhooks();
    this.pages = new Map();
    this.blog = createServer((req, res) => {
      const page = this.pages.get(new URL(req.url, this.blogUrl).pathname);
      if (!page) { res.writeHead(404); return res.end("not found"); }
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...page.headers });
      res.end(page.html);
    });
    await new Promise((r) => this.blog.listen(blogPort, "127.0.0.1", r));
    this.browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"],
    });
    return this;
  }

  async startPlog() {
    const bin = process.env.PLOG_BIN || join(ROOT, "target/debug/plog");
    if (!existsSync(bin)) throw new Error(`plog binary not found at ${bin}: cargo build -p plog-api`);
    this.plog = start("plog", bin, ["serve"], this.plogEnv);
    await waitFor(`${this.plogUrl}/readyz`);
  }

  async stopPlog() {
    await stop(this.plog);
  }

  async enableWebhooks() {
    const r = await fetch(`${this.stripeUrl}/_config/webhooks/plog`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ url: `${this.plogUrl}/v1/webhooks/stripe`, secret: WEBHOOK_SECRET }),
    });
    if (!r.ok) throw new Error(`webhook registration failed: ${r.status}`);
  }

  tag(id, attrs = "") {
    return `<script src="${this.plogUrl}/plog.js" data-paywall="${id}" ${attrs} async></script>`;
  }

  /** Serves `html` at `path` on the blog's origin, with extra response headers. */
  servePage(path, html, headers = {}) {
    this.pages.set(path, { html, headers });
    return this.blogUrl + path;
  }

  async admin(method, path, body) {
    const r = await fetch(this.plogUrl + path, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await r.json();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
    return json;
  }

  /** Moves plog's clock (the sandbox's `/sandbox/clock`, admin token) by `secs`: back, if negative. */
  async advanceClock(secs) {
    return this.admin("POST", "/sandbox/clock", { advance_secs: secs });
  }

  /** Creates a paywall; `more` carries mode settings (`mode`, `suggested_amount`, `preset_amounts`, …). */
  async createPaywall({ title = "The rest of the story", teaser = "It gets better.", amount = 100, currency = "jpy", markdown, origins = [], ...more }) {
    return this.admin("POST", "/v1/admin/paywalls", { title, teaser, price: { amount, currency }, content_markdown: markdown, origins, ...more });
  }

  async purchases(paywallId) {
    const q = paywallId ? `?paywall=${paywallId}` : "";
    return (await this.admin("GET", `/v1/admin/purchases${q}`)).purchases;
  }

  /** A fresh browser context (a fresh profile: no cache, no localStorage). */
  async newPage(contextOptions = {}) {
    const context = await this.browser.newContext(contextOptions);
    const page = await context.newPage();
    page.consoleErrors = [];
    page.requests = [];
    page.responses = [];
    page.on("console", (m) => { if (m.type() === "error") page.consoleErrors.push(m.text()); });
    page.on("pageerror", (e) => page.consoleErrors.push(String(e)));
    page.on("request", (r) => page.requests.push(r.url()));
    page.on("response", (r) => page.responses.push(r));
    return page;
  }

  async close() {
    await this.browser?.close().catch(() => {});
    await new Promise((r) => (this.blog ? this.blog.close(r) : r()));
    await stop(this.plog);
    await stop(this.localstripe);
    if (this.mailCatcher) await stop(this.mailCatcher);
    if (process.env.PLOG_E2E_KEEP) console.log(`kept ${this.dir}`);
    else rmSync(this.dir, { recursive: true, force: true });
  }

  /** The mails the catcher holds for `address`. */
  async mails(address) {
    const all = await (await fetch(`${this.mailUrl}/messages`)).json();
    return all.filter((m) => m.rcpt_to.includes(address));
  }

  /** Waits (30 s at most) until `count` mails reached `address`; returns them. */
  async waitForMails(address, count = 1) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const mails = await this.mails(address);
      if (mails.length >= count) return mails;
      if (Date.now() > deadline) throw new Error(`${mails.length} of ${count} mails reached ${address}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  logs() {
    return `--- plog ---\n${this.plog?.log.join("")}\n--- localstripe ---\n${this.localstripe?.log.join("").slice(-4000)}`;
  }
}

/** Locator of something inside a paywall's shadow root (Playwright pierces open shadow roots). */
/** The RGB(A) rows of a PNG as Playwright writes it (8 bits per channel, not interlaced). */
function pngRows(png) {
  let offset = 8, width = 0, height = 0, channels = 0;
  const data = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString("latin1", offset + 4, offset + 8);
    const chunk = png.subarray(offset + 8, offset + 8 + length);
    if (type === "IHDR") [width, height, channels] = [chunk.readUInt32BE(0), chunk.readUInt32BE(4), chunk[9] === 6 ? 4 : 3];
    if (type === "IDAT") data.push(chunk);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const rows = [];
  let previous = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? line[x - channels] : 0, b = previous[x], c = x >= channels ? previous[x - channels] : 0;
      const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const predictor = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter];
      line[x] = (line[x] + predictor) & 255;
    }
    rows.push(line);
    previous = line;
  }
  return { width, height, rows };
}

/** How many pixels of two same-sized screenshots differ by more than `tolerance` in a channel
 * (the compositor's anti-aliasing of a rounded corner may move a channel by one or two). */
export function pixelsApart(first, second, tolerance = 2) {
  const [a, b] = [pngRows(first), pngRows(second)];
  if (a.width !== b.width || a.height !== b.height) return Infinity;
  const channels = a.rows[0].length / a.width;
  let apart = 0;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      for (let c = x * channels; c < (x + 1) * channels; c++) {
        if (Math.abs(a.rows[y][c] - b.rows[y][c]) > tolerance) { apart++; break; }
      }
    }
  }
  return apart;
}

/** Waits until the widget's code has taken over every paywall of the page (the loader painted
 * them first): only the widget makes the card Element's light-DOM mount point. */
export async function widgetReady(page) {
  await page.waitForFunction(() => [...document.querySelectorAll("plog-paywall")].every((h) => h.querySelector("plog-card")));
}

export function paywall(page, index = 0) {
  return page.locator("plog-paywall").nth(index);
}

/** A reader's press, as the mouse makes it, on whatever is at the button's place when the press
 * lands: the widget may take a painted paywall over between the press's pointerdown and its click
 * (the loader carries the press on), so no retrying `click()` on "the" button, which the takeover
 * replaces. */
export async function press(locator) {
  const box = await locator.boundingBox();
  await locator.page().mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

/** Buy on paywall `index` of the page: Buy, the card, Pay. Buy is pressed once the widget has
 * taken the painted paywall over (its card mount point exists): a click on the loader's painted
 * Buy could land on the widget's own, which the takeover puts in its place, and be retried. */
export async function buy(page, card, index = 0) {
  await paywall(page, index).locator("plog-card").waitFor({ state: "attached" });
  await paywall(page, index).locator(".buy").click();
  await paywall(page, index).locator("input[name=cardnumber]").waitFor();
  await fillCard(page, card, index);
  await paywall(page, index).locator(".pay").click();
}

/** Types a card into the sandbox card Element of the nth paywall. */
export async function fillCard(page, number, index = 0) {
  const pw = paywall(page, index);
  await pw.locator("input[name=cardnumber]").fill(number);
  await pw.locator("input[name=exp-date]").fill("12 / 34");
  await pw.locator("input[name=cvc]").fill("123");
}

/** Saves a screenshot into the test output folder. */
export async function screenshot(page, name) {
  mkdirSync(OUTPUT, { recursive: true });
  await page.screenshot({ path: join(OUTPUT, `${name}.png`), fullPage: true });
}

/** Runs a test body; on failure saves a screenshot of each page the test opened, and plog's log. */
export async function withEvidence(h, name, pages, body) {
  const before = pages().length;
  try {
    await body();
  } catch (error) {
    for (const [i, page] of pages().slice(before).entries()) {
      await screenshot(page, `${name}-failure-${i}`).catch(() => {});
    }
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(OUTPUT, `${name}-failure.log`), h.logs());
    throw error;
  }
}

/** Signs a webhook payload as Stripe does. */
export async function signedEvent(event) {
  const { createHmac } = await import("node:crypto");
  const body = JSON.stringify(event);
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac("sha256", WEBHOOK_SECRET).update(`${t}.${body}`).digest("hex");
  return { body, signature: `t=${t},v1=${v1}` };
}
