// The three browser engines readers use, behind one small interface, so a journey is written
// once and run in each: Chromium (Debian's, through playwright-core), Firefox ESR (Debian's,
// through puppeteer-core over WebDriver BiDi: Debian has no geckodriver and Playwright needs its
// own patched Firefox) and WebKitGTK, Safari's engine (Debian's WebKitWebDriver, spoken to over
// plain W3C WebDriver HTTP, under a virtual X display: the browser has no headless mode here).
//
// An engine opens readers; a reader is one fresh browser profile (no cache, no storage) with one
// page, and offers `goto(url)` (returns after the load event), `evaluate(expression)` (evaluated
// in the page, awaited, its JSON-able value returned), `screenshot(path)`, `errors` (uncaught
// errors of the page) and `close()`. Everything a journey does to a page (clicks, typing, waiting
// for the paid part) is page JavaScript through `evaluate` (see `run` and `until`), so each
// driver stays a few lines and no engine gets a gentler test than another.
import { spawn } from "node:child_process";
import { chromium } from "playwright-core";
import { freePort } from "./harness.mjs";

/** Helpers every page function may use: the element `selector` of the paywall `index` (in its
 * shadow root, or in its light DOM where the card Element is mounted), and typing as a reader's
 * keyboard does it (the value, then the `input` and `change` events). */
const PRELUDE = `const find = (index, selector) => { const host = document.querySelectorAll("plog-paywall")[index];
  return host ? host.shadowRoot?.querySelector(selector) || host.querySelector(selector) : null; };
const type = (element, text) => { element.focus(); element.value = text;
  element.dispatchEvent(new Event("input", { bubbles: true })); element.dispatchEvent(new Event("change", { bubbles: true })); };`;

/** The expression that calls `fn` with `args` in the page. */
const call = (fn, args) => `(async () => { ${PRELUDE}\nreturn (${fn})(...${JSON.stringify(args)}); })()`;

/** Runs `fn(...args)` in the reader's page; its value. */
export const run = (reader, fn, ...args) => reader.evaluate(call(fn, args));

/** Polls `fn(...args)` in the page (every 50 ms, up to `ms`) until it returns a truthy value,
 * which it returns; on time out throws, naming `what` and the page's uncaught errors. */
export async function until(reader, what, fn, ...args) {
  const ms = 20_000;
  const expression = `(async () => { ${PRELUDE}
    const deadline = Date.now() + ${ms};
    for (;;) {
      const value = await (${fn})(...${JSON.stringify(args)});
      // An element is no value every driver can hand back: it counts as found.
      if (value) return value instanceof Node ? true : value;
      if (Date.now() > deadline) return null;
      await new Promise((r) => setTimeout(r, 50));
    }
  })()`;
  const value = await reader.evaluate(expression);
  if (!value) throw new Error(`timed out waiting for ${what}; the page's errors: ${JSON.stringify(reader.errors)}`);
  return value;
}

/** Engines by name; `PLOG_E2E_ENGINES=firefox,webkit` picks some (default: all three). */
export const ENGINES = {
  chromium: { name: "Chromium", launch: launchChromium },
  firefox: { name: "Firefox ESR", launch: launchFirefox },
  webkit: { name: "WebKitGTK", launch: launchWebKit },
};

export function enginesToRun() {
  const picked = (process.env.PLOG_E2E_ENGINES || Object.keys(ENGINES).join(",")).split(",").map((e) => e.trim());
  for (const name of picked) if (!ENGINES[name]) throw new Error(`unknown engine ${name}: one of ${Object.keys(ENGINES)}`);
  return picked;
}

async function launchChromium() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  return {
    version: browser.version(),
    async newReader() {
      const context = await browser.newContext();
      const page = await context.newPage();
      const errors = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      return {
        errors,
        goto: (url) => page.goto(url).then(() => {}),
        evaluate: (expression) => page.evaluate(expression),
        screenshot: (path) => page.screenshot({ path, fullPage: true }),
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

async function launchFirefox() {
  // Imported here: only this engine needs it.
  const { default: puppeteer } = await import("puppeteer-core");
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: process.env.FIREFOX || "/usr/bin/firefox-esr",
    headless: true,
    // No update checks, telemetry or first-run pages: the test's requests only.
    extraPrefsFirefox: { "app.update.enabled": false, "datareporting.policy.dataSubmissionEnabled": false,
      "browser.shell.checkDefaultBrowser": false, "network.http.http3.enable": false },
  });
  return {
    version: await browser.version(),
    async newReader() {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      const errors = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      return {
        errors,
        goto: (url) => page.goto(url, { waitUntil: "load" }).then(() => {}),
        // Over BiDi, puppeteer awaits the promise a function returns but not an expression's:
        // the expression goes as the body of a function.
        // eslint-disable-next-line no-new-func
        evaluate: (expression) => page.evaluate(new Function(`return (${expression});`)),
        screenshot: (path) => page.screenshot({ path, fullPage: true }),
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

/** One W3C WebDriver command; its `value`, or the driver's error thrown. */
async function webdriver(base, method, path, body) {
  const r = await fetch(base + path, {
    method,
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(`WebDriver ${method} ${path}: ${r.status} ${answer.value?.error}: ${answer.value?.message}`);
  return answer.value;
}

async function launchWebKit() {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const driverBinary = process.env.WEBKIT_DRIVER || "WebKitWebDriver";
  // xvfb-run gives the browser a display of its own and stops it with the driver.
  const driver = spawn("xvfb-run", ["-a", "-s", "-screen 0 1600x2600x24", driverBinary, `--port=${port}`],
    { stdio: ["ignore", "pipe", "pipe"], detached: true });
  const log = [];
  driver.stdout.on("data", (d) => log.push(String(d)));
  driver.stderr.on("data", (d) => log.push(String(d)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await webdriver(base, "GET", "/status")).ready !== undefined) break;
    } catch {}
    if (driver.exitCode !== null || Date.now() > deadline) throw new Error(`WebKitWebDriver did not start: ${log.join("")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  let version = "";
  let current = null;
  return {
    get version() { return version; },
    async newReader() {
      // A session is one browser with an ephemeral profile of its own, and the driver holds one
      // session at a time: a new reader ends the one before (journeys use one reader at a time).
      await current?.close();
      const session = await webdriver(base, "POST", "/session", {
        capabilities: { alwaysMatch: { "webkitgtk:browserOptions": { args: ["--automation"] } } },
      });
      version = `${session.capabilities.browserName} ${session.capabilities.browserVersion}`;
      const at = `/session/${session.sessionId}`;
      await webdriver(base, "POST", `${at}/timeouts`, { script: 60_000, pageLoad: 60_000 });
      const errors = [];
      current = {
        errors,
        async goto(url) {
          await webdriver(base, "POST", `${at}/url`, { url });
          // The driver streams no console: a hook kept on the page collects uncaught errors.
          await webdriver(base, "POST", `${at}/execute/sync`, { script: `if (!window.__plogErrors) { window.__plogErrors = [];
            addEventListener("error", (e) => window.__plogErrors.push(String(e.message)));
            addEventListener("unhandledrejection", (e) => window.__plogErrors.push(String(e.reason))); }`, args: [] });
        },
        async evaluate(expression) {
          const script = `const done = arguments[arguments.length - 1];
            Promise.resolve().then(() => ${expression}).then((value) => done({ value: value === undefined ? null : value }),
              (error) => done({ error: String(error && error.stack || error) }));`;
          const answer = await webdriver(base, "POST", `${at}/execute/async`, { script, args: [] });
          if (answer.error) throw new Error(answer.error);
          errors.splice(0, errors.length, ...(await webdriver(base, "POST", `${at}/execute/sync`,
            { script: "return window.__plogErrors || []", args: [] })));
          return answer.value;
        },
        async screenshot(path) {
          const { writeFileSync } = await import("node:fs");
          writeFileSync(path, Buffer.from(await webdriver(base, "GET", `${at}/screenshot`), "base64"));
        },
        async close() {
          if (current === this) current = null;
          await webdriver(base, "DELETE", at).catch(() => {});
        },
      };
      return current;
    },
    async close() {
      try { process.kill(-driver.pid, "SIGTERM"); } catch {}
      await new Promise((r) => (driver.exitCode !== null ? r() : driver.once("exit", r)));
    },
  };
}
