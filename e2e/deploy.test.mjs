// The deployment in deploy/, run for real: Debian's Caddy with TLS (its internal CA standing in
// for Let's Encrypt) in front of `plog serve` with PLOG_TRUSTED_PROXIES, and headless Chromium
// buying an article through https://. The reader reaches Caddy over IPv6 ([::1]) and Caddy
// reaches plog over IPv4 (127.0.0.1), so the two addresses differ, and the test checks the one
// plog kept (as the keyed hash of a purchase's client) is the reader's, not Caddy's.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Harness, ROOT, WEBHOOK_SECRET, blogPage, screenshot, withEvidence, freePort, CARDS, buy } from "./lib/harness.mjs";

let h, caddy, caddyDir, site;
const pages = [];
const caddyLog = [];

/** GET over HTTPS, verifying the chain against `ca` only (not the system's roots). */
function httpsGet(url, ca) {
  return new Promise((resolve, reject) => {
    https.get(url, { ca }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
    }).on("error", reject);
  });
}

before(async () => {
  const [httpsPort, httpPort] = [await freePort(), await freePort()];
  site = `https://[::1]:${httpsPort}`;
  // plog believes X-Forwarded-For from Caddy only (127.0.0.1), and writes Caddy's https origin into tags.
  h = await new Harness().start({ env: { PLOG_TRUSTED_PROXIES: "127.0.0.1", PLOG_PUBLIC_URL: site, PLOG_LOG_FORMAT: "json" } });
  caddyDir = mkdtempSync(join(tmpdir(), "plog-caddy-"));
  // The test's own global options, then deploy/Caddyfile exactly as shipped.
  const wrapper = join(caddyDir, "Caddyfile");
  writeFileSync(wrapper, `{
\tadmin off
\tlocal_certs
\tskip_install_trust
\thttp_port ${httpPort}
\thttps_port ${httpsPort}
\tauto_https disable_redirects
}
import ${join(ROOT, "deploy/Caddyfile")}
`);
  const env = { ...process.env, HOME: caddyDir, XDG_DATA_HOME: join(caddyDir, "data"), XDG_CONFIG_HOME: join(caddyDir, "config"),
    PLOG_DOMAIN: site, PLOG_UPSTREAM: h.plogUrl.replace("http://", "") };
  caddy = spawn("caddy", ["run", "--config", wrapper, "--adapter", "caddyfile"], { env, stdio: ["ignore", "pipe", "pipe"] });
  caddy.stdout.on("data", (d) => caddyLog.push(d.toString()));
  caddy.stderr.on("data", (d) => caddyLog.push(d.toString()));
  const root = join(caddyDir, "data/caddy/pki/authorities/local/root.crt");
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if (existsSync(root) && (await httpsGet(`${site}/readyz`, readFileSync(root))).status === 200) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`Caddy did not serve ${site}:\n${caddyLog.join("")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
});

after(async () => {
  if (caddy && caddy.exitCode === null) {
    const exited = new Promise((r) => caddy.once("exit", r));
    caddy.kill("SIGTERM");
    await exited;
  }
  await h?.close();
  if (caddyDir) rmSync(caddyDir, { recursive: true, force: true });
});

/** The keyed hash plog stores a client under (limits::purchases::client_key). */
function clientKey(address) {
  return createHmac("sha256", WEBHOOK_SECRET).update(`plog client v1:${address}`).digest("hex");
}

test("the widget and the API are served through Caddy over TLS its CA vouches for, compressed", async () => {
  const ca = readFileSync(join(caddyDir, "data/caddy/pki/authorities/local/root.crt"));
  const loader = await httpsGet(`${site}/plog.js`, ca);
  assert.equal(loader.status, 200);
  assert.match(loader.body, /plog-widget-[0-9a-f]+_bg\.wasm/);
  // Without Caddy's root the chain is refused: the TLS is real, not switched off.
  await assert.rejects(httpsGet(`${site}/readyz`, undefined), /self[- ]signed|unable to (get|verify)|certificate/i);
  const wasmName = loader.body.match(/plog-widget-[0-9a-f]+_bg\.wasm/)[0];
  const compressed = await new Promise((resolve, reject) => {
    https.get(`${site}/widget/${wasmName}`, { ca, headers: { "accept-encoding": "gzip" } }, (res) => {
      res.resume();
      resolve(res.headers["content-encoding"]);
    }).on("error", reject);
  });
  assert.equal(compressed, "gzip", "Caddy compresses the .wasm");
});

test("a reader buys an article through https://, and plog sees the reader's address, not Caddy's", async () => {
  await withEvidence(h, "deploy", () => pages, async () => {
    const secret = `DEPLOYED-${Math.random().toString(36).slice(2, 8)}`;
    const pw = await h.createPaywall({ markdown: `## Through Caddy\n\n${secret}` });
    const tag = `<script src="${site}/plog.js" data-paywall="${pw.id}" async></script>`;
    const url = h.servePage("/deployed", blogPage({ title: "Deployed", tags: [tag] }));
    // The test's CA is not in the browser's store: the chain was checked above with it.
    const page = await h.newPage({ ignoreHTTPSErrors: true });
    pages.push(page);
    await page.goto(url);
    await buy(page, CARDS.ok);
    const content = page.locator(`plog-content[data-paywall="${pw.id}"]`);
    await content.waitFor({ timeout: 15000 });
    assert.match(await content.textContent(), new RegExp(secret));
    await screenshot(page, "deploy-unlocked");
    // Every request of the widget went to Caddy's https origin, none to plog directly.
    const plogDirect = page.requests.filter((r) => r.startsWith(h.plogUrl));
    assert.deepEqual(plogDirect, [], "nothing bypassed Caddy");
    assert.ok(page.requests.some((r) => r.startsWith(`${site}/v1/paywalls/${pw.id}/purchases`)), "bought through Caddy");

    const [purchase] = await h.purchases(pw.id);
    assert.equal(purchase.status, "paid");
    const stored = execFileSync("python3", ["-c",
      "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select client_key from purchases where id = ?', (sys.argv[2],)).fetchone()[0])",
      join(h.dir, "plog.db"), purchase.id]).toString().trim();
    // ::1 is limited as its /64, "::"; Caddy's own address is 127.0.0.1.
    assert.equal(stored, clientKey("::"), "the reader's address (IPv6, through X-Forwarded-For)");
    assert.notEqual(stored, clientKey("127.0.0.1"), "not Caddy's");
    // plog's JSON log line for the purchase carries a request id Caddy's log can be matched with.
    const lines = h.plog.log.join("").split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    assert.ok(lines.some((l) => l.message === "answered" && l.span?.path === `/v1/paywalls/${pw.id}/purchases` && l.status === 201 && l.span?.request_id),
      "a JSON log line for the purchase, with its request id");
  });
});

test("the systemd unit in deploy/ is one systemd accepts, running the plog binary", () => {
  // systemd-analyze (Debian's systemd) checks the unit as systemd would load it; the binary it
  // names is swapped for the one built here, since /usr/local/bin/plog is where a deploy puts it.
  const dir = mkdtempSync(join(tmpdir(), "plog-unit-"));
  try {
    const unit = readFileSync(join(ROOT, "deploy/plog.service"), "utf8");
    assert.match(unit, /^ExecStart=\/usr\/local\/bin\/plog serve$/m);
    assert.match(unit, /^EnvironmentFile=\/etc\/plog\/plog\.env$/m);
    writeFileSync(join(dir, "plog.service"), unit.replace("ExecStart=/usr/local/bin/plog", `ExecStart=${process.env.PLOG_BIN || join(ROOT, "target/debug/plog")}`));
    execFileSync("systemd-analyze", ["verify", "--man=no", join(dir, "plog.service")], { stdio: "pipe" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
