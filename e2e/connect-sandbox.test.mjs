// The sandbox speaks Stripe Connect as Stripe does (sandbox/connect.py behind the gateway,
// sandbox/stripe_gateway.py): connected accounts and their onboarding through an Account Link,
// each account's objects apart (`Stripe-Account`), fees only on a connected account's intent,
// events of a connected account carrying `account` and reaching only Connect endpoints, signed by
// the official stripe-python, and every form checked to the leaf against stripe-python's
// parameter types. The gateway and localstripe are real; a small HTTP server receives events.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { createHmac } from "node:crypto";
import { dirname, join } from "node:path";
import { ROOT, freePort, pinnedStripeVersion } from "./lib/harness.mjs";

const SECRET = "sk_test_connect";
const PLATFORM_HOOK = "whsec_platform";
const CONNECT_HOOK = "whsec_connect";
let gateway, base, receiver, received;

/** Waits until `check()` is truthy (5 s at most), polling every 50 ms; its value. */
async function eventually(check, what) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The gateway's answer to a form request: [status, JSON]. */
async function stripe(method, path, form = {}, headers = {}) {
  const body = new URLSearchParams(form).toString();
  const r = await fetch(base + path + (method === "GET" && body ? `?${body}` : ""), {
    method,
    redirect: "manual",
    headers: {
      authorization: `Bearer ${SECRET}`, "stripe-version": pinnedStripeVersion(),
      ...(method === "POST" ? { "content-type": "application/x-www-form-urlencoded" } : {}), ...headers,
    },
    body: method === "POST" ? body : undefined,
  });
  return [r.status, await r.json()];
}

const on = (account) => ({ "stripe-account": account });

/** A connected account as plog creates one: controller properties, card payments requested. */
async function connectedAccount(email = "creator@example.com") {
  const [status, account] = await stripe("POST", "/v1/accounts", {
    "controller[fees][payer]": "account", "controller[losses][payments]": "stripe",
    "controller[requirement_collection]": "stripe", "controller[stripe_dashboard][type]": "full",
    "capabilities[card_payments][requested]": "true", email, "metadata[creator]": "cr_1",
  });
  assert.equal(status, 200, JSON.stringify(account));
  return account;
}

/** Onboards `account` through an Account Link and the sandbox's page; the link's URL. */
async function onboard(account) {
  const [status, link] = await stripe("POST", "/v1/account_links", {
    account: account.id, refresh_url: "http://plog.test/refresh", return_url: "http://plog.test/return", type: "account_onboarding",
  });
  assert.equal(status, 200, JSON.stringify(link));
  const page = await fetch(link.url);
  assert.match(await page.text(), new RegExp(account.id));
  const done = await fetch(link.url, { method: "POST", redirect: "manual" });
  assert.equal(done.status, 303);
  assert.equal(done.headers.get("location"), "http://plog.test/return");
  return link.url;
}

/** A card payment confirmed on `account` (null: the platform); the intent. */
async function paidIntent(account, extra = {}) {
  const headers = account ? on(account) : {};
  const [, intent] = await stripe("POST", "/v1/payment_intents", {
    amount: "1000", currency: "jpy", "allowed_payment_method_types[0]": "card", ...extra,
  }, headers);
  assert.ok(intent.id, JSON.stringify(intent));
  const [, method] = await stripe("POST", "/v1/payment_methods", {
    type: "card", "card[number]": "4242424242424242", "card[exp_month]": "12", "card[exp_year]": "2034", "card[cvc]": "123",
  }, headers);
  // As the sandbox's Stripe.js double does (localstripe confirms what the intent holds).
  assert.equal((await stripe("POST", `/v1/payment_intents/${intent.id}`, { payment_method: method.id }, headers))[0], 200);
  const [status, confirmed] = await stripe("POST", `/v1/payment_intents/${intent.id}/confirm`, {}, headers);
  assert.equal(status, 200, JSON.stringify(confirmed));
  assert.equal(confirmed.status, "succeeded");
  return confirmed;
}

before(async () => {
  const [port, hookPort] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${port}`;
  received = [];
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const endpoint = req.url.slice(1);
      const secret = endpoint === "connect" ? CONNECT_HOOK : PLATFORM_HOOK;
      const [, t, v1] = req.headers["stripe-signature"].match(/t=(\d+),v1=([0-9a-f]+)/);
      const signed = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex") === v1;
      received.push({ endpoint, signed, event: JSON.parse(body) });
      res.writeHead(200).end("{}");
    });
  });
  await new Promise((r) => receiver.listen(hookPort, "127.0.0.1", r));
  const localstripe = process.env.PLOG_LOCALSTRIPE || join(ROOT, ".tools/localstripe/bin/localstripe");
  gateway = spawn(join(dirname(localstripe), "python"), [join(ROOT, "sandbox/stripe_gateway.py"), "--port", String(port),
    "--api-version", pinnedStripeVersion(), "--localstripe", localstripe], { stdio: "ignore" });
  const deadline = Date.now() + 30000;
  while (!(await fetch(`${base}/v1/balance`).then((r) => r.status < 500, () => false))) {
    if (Date.now() > deadline) throw new Error("the gateway did not start");
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const [id, secret, connect] of [["platform", PLATFORM_HOOK, "false"], ["connect", CONNECT_HOOK, "true"]]) {
    const r = await fetch(`${base}/_config/webhooks/${id}`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: `http://127.0.0.1:${hookPort}/${id}`, secret, connect }),
    });
    assert.equal(r.status, 200);
  }
});

after(async () => {
  gateway?.kill("SIGTERM");
  await new Promise((r) => receiver?.close(r));
});

test("a connected account takes no card payments until its onboarding through an Account Link completes", async () => {
  const account = await connectedAccount();
  assert.match(account.id, /^acct_/);
  assert.equal(account.charges_enabled, false);
  assert.equal(account.capabilities.card_payments, "inactive");
  assert.deepEqual(account.controller.fees, { payer: "account" });
  const linkUrl = await onboard(account);
  const [, after] = await stripe("GET", `/v1/accounts/${account.id}`);
  assert.equal(after.charges_enabled, true);
  assert.equal(after.details_submitted, true);
  assert.equal(after.capabilities.card_payments, "active");
  // The Connect endpoint hears it, with the account on top, signed; the platform's does not.
  const updated = await eventually(() => received.find((r) => r.event.type === "account.updated" && r.event.account === account.id), "account.updated");
  assert.equal(updated.endpoint, "connect");
  assert.ok(updated.signed);
  assert.equal(updated.event.data.object.charges_enabled, true);
  assert.equal(updated.event.data.previous_attributes.charges_enabled, false);
  assert.equal(updated.event.api_version, pinnedStripeVersion());
  // A link is used once: again, it sends the creator to refresh_url, as Stripe does.
  const again = await fetch(linkUrl, { redirect: "manual" });
  assert.equal(again.status, 303);
  assert.equal(again.headers.get("location"), "http://plog.test/refresh");
});

test("each account's PaymentIntents, charges and refunds are its own: another account's are missing, an unknown account is refused", async () => {
  const [a, b] = [await connectedAccount("a@example.com"), await connectedAccount("b@example.com")];
  const onA = await paidIntent(a.id);
  const platform = await paidIntent(null);
  // Read as B, or as the platform itself: no such intent.
  for (const headers of [on(b.id), {}]) {
    const [status, answer] = await stripe("GET", `/v1/payment_intents/${onA.id}`, {}, headers);
    assert.equal(status, 404);
    assert.equal(answer.error.code, "resource_missing");
  }
  assert.equal((await stripe("GET", `/v1/payment_intents/${onA.id}`, {}, on(a.id)))[0], 200);
  assert.equal((await stripe("GET", `/v1/payment_intents/${platform.id}`, {}, on(a.id)))[0], 404);
  assert.equal((await stripe("GET", `/v1/charges/${onA.latest_charge}`, {}, on(b.id)))[0], 404);
  // B cannot refund A's payment, nor cancel it, nor pay it with a card made on B.
  const [, methodOnB] = await stripe("POST", "/v1/payment_methods", { type: "card", "card[number]": "4242424242424242", "card[exp_month]": "12", "card[exp_year]": "2034" }, on(b.id));
  const [, pending] = await stripe("POST", "/v1/payment_intents", { amount: "300", currency: "jpy" }, on(a.id));
  assert.equal((await stripe("POST", `/v1/payment_intents/${pending.id}`, { payment_method: methodOnB.id }, on(a.id)))[0], 404);
  const [refused, refusal] = await stripe("POST", "/v1/refunds", { payment_intent: onA.id, amount: "100" }, on(b.id));
  assert.equal(refused, 404, JSON.stringify(refusal));
  assert.equal((await stripe("POST", `/v1/payment_intents/${onA.id}/cancel`, {}, on(b.id)))[0], 404);
  // Lists show the acting account's own only.
  const [, listB] = await stripe("GET", "/v1/payment_intents", { limit: "100" }, on(b.id));
  assert.deepEqual(listB.data, []);
  const [, listA] = await stripe("GET", "/v1/payment_intents", { limit: "100" }, on(a.id));
  assert.deepEqual(listA.data.map((i) => i.id).sort(), [onA.id, pending.id].sort());
  const [, listPlatform] = await stripe("GET", "/v1/payment_intents", { limit: "100" });
  assert.ok(listPlatform.data.some((i) => i.id === platform.id) && !listPlatform.data.some((i) => i.id === onA.id));
  // An account the platform does not have.
  const [status, answer] = await stripe("GET", `/v1/payment_intents/${onA.id}`, {}, on("acct_nobody"));
  assert.equal(status, 403);
  assert.equal(answer.error.code, "account_invalid");
  // A's refund, on A: made, and its event reaches the Connect endpoint with A on top.
  const [made] = await stripe("POST", "/v1/refunds", { payment_intent: onA.id, amount: "100" }, on(a.id));
  assert.equal(made, 200);
  const refunded = await eventually(() => received.find((r) => r.event.type === "charge.refunded" && r.event.data.object.payment_intent === onA.id), "charge.refunded");
  assert.equal(refunded.endpoint, "connect");
  assert.equal(refunded.event.account, a.id);
  assert.ok(refunded.signed);
  // localstripe's own events: A's success reaches only the Connect endpoint, with A; the
  // platform's only the platform's endpoint, without an account.
  const succeeded = (id) => received.filter((r) => r.event.type === "payment_intent.succeeded" && r.event.data.object.id === id);
  const [ofA] = await eventually(() => succeeded(onA.id).length && succeeded(onA.id), "A's payment_intent.succeeded");
  const [ofPlatform] = await eventually(() => succeeded(platform.id).length && succeeded(platform.id), "the platform's");
  assert.deepEqual([ofA.endpoint, ofA.event.account, ofA.signed], ["connect", a.id, true]);
  assert.deepEqual([ofPlatform.endpoint, "account" in ofPlatform.event], ["platform", false]);
  assert.equal(succeeded(onA.id).length, 1);
});

test("an application fee is taken only on a connected account's intent, never above its amount", async () => {
  const account = await connectedAccount();
  const [ok, intent] = await stripe("POST", "/v1/payment_intents", {
    amount: "1000", currency: "jpy", "allowed_payment_method_types[0]": "card", application_fee_amount: "100",
  }, on(account.id));
  assert.equal(ok, 200, JSON.stringify(intent));
  assert.equal(intent.application_fee_amount, 100);
  const [, read] = await stripe("GET", `/v1/payment_intents/${intent.id}`, {}, on(account.id));
  assert.equal(read.application_fee_amount, 100);
  const [onPlatform, refusal] = await stripe("POST", "/v1/payment_intents", {
    amount: "1000", currency: "jpy", application_fee_amount: "100",
  });
  assert.equal(onPlatform, 400);
  assert.equal(refusal.error.param, "application_fee_amount");
  const [above] = await stripe("POST", "/v1/payment_intents", {
    amount: "1000", currency: "jpy", application_fee_amount: "1001",
  }, on(account.id));
  assert.equal(above, 400);
});

test("an idempotency key is kept per account: the same key on two accounts makes two intents", async () => {
  const [a, b] = [await connectedAccount(), await connectedAccount()];
  const form = { amount: "500", currency: "jpy" };
  const [, first] = await stripe("POST", "/v1/payment_intents", form, { ...on(a.id), "idempotency-key": "plog-purchase-1" });
  const [, replayed] = await stripe("POST", "/v1/payment_intents", form, { ...on(a.id), "idempotency-key": "plog-purchase-1" });
  const [, onB] = await stripe("POST", "/v1/payment_intents", form, { ...on(b.id), "idempotency-key": "plog-purchase-1" });
  assert.equal(replayed.id, first.id);
  assert.notEqual(onB.id, first.id);
  assert.equal((await stripe("GET", `/v1/payment_intents/${onB.id}`, {}, on(b.id)))[0], 200);
});

test("Stripe's levers: a restricted account stops taking card payments, a deauthorized one is refused", async () => {
  const account = await connectedAccount();
  await onboard(account);
  await fetch(`${base}/_gateway/connect/accounts/${account.id}/restrict`, { method: "POST" });
  const [, restricted] = await stripe("GET", `/v1/accounts/${account.id}`);
  assert.equal(restricted.charges_enabled, false);
  assert.equal(restricted.capabilities.card_payments, "inactive");
  await eventually(() => received.find((r) => r.event.type === "account.updated" && r.event.account === account.id
    && r.event.data.object.charges_enabled === false), "account.updated (restricted)");
  await fetch(`${base}/_gateway/connect/accounts/${account.id}/deauthorize`, { method: "POST" });
  const gone = await eventually(() => received.find((r) => r.event.type === "account.application.deauthorized" && r.event.account === account.id), "deauthorized");
  assert.deepEqual([gone.endpoint, gone.signed], ["connect", true]);
  const [status, answer] = await stripe("POST", "/v1/payment_intents", { amount: "500", currency: "jpy" }, on(account.id));
  assert.equal(status, 403);
  assert.equal(answer.error.code, "account_invalid");
});

test("every Connect form is checked to the leaf against stripe-python's parameter types (the check can fail)", async () => {
  const wrongLeaf = await stripe("POST", "/v1/accounts", { "controller[fees][payr]": "account" });
  assert.deepEqual([wrongLeaf[0], wrongLeaf[1].error.code, wrongLeaf[1].error.param], [400, "parameter_unknown", "controller[fees][payr]"]);
  const wrongCapability = await stripe("POST", "/v1/accounts", { "capabilities[card_paymnts][requested]": "true" });
  assert.deepEqual([wrongCapability[0], wrongCapability[1].error.param], [400, "capabilities[card_paymnts]"]);
  const v2Name = await stripe("POST", "/v1/account_links", { account: "acct_x", refresh_url: "http://a", return_url: "http://b", type: "account_onboarding", "use_case[type]": "account_onboarding" });
  assert.deepEqual([v2Name[0], v2Name[1].error.param], [400, "use_case"]);
  // The endive name of the payment method types, nested: `payment_method_types` is refused.
  const old = await stripe("POST", "/v1/payment_intents", { amount: "500", currency: "jpy", "payment_method_types[0]": "card" });
  assert.deepEqual([old[0], old[1].error.param], [400, "payment_method_types"]);
});
