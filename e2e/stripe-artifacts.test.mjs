// plog held against Stripe's own published definitions, with the TypeScript compiler:
// - the webhook event fixtures the API suite delivers (api/tests/fixtures/stripe) are events of
//   the pinned API version as the official `stripe` npm package types them, and an event of an
//   older version is not (the check can fail);
// - every Stripe.js call, option and result field the widget uses is one that
//   @stripe/stripe-js defines (e2e/stripe-types/widget-calls.ts, and every name the Rust
//   bindings hand to Stripe.js appears there);
// - what the sandbox's Stripe.js double answers in a real browser (change events, a decline, a
//   success, a confirm of an intent that already succeeded) has the types Stripe.js declares.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Harness, ROOT, blogPage, paywall, fillCard, withEvidence, CARDS, PUBLISHABLE_KEY, SECRET_KEY, widgetReady } from "./lib/harness.mjs";

const E2E = join(ROOT, "e2e");
const FIXTURES = join(ROOT, "api/tests/fixtures/stripe");
const TSC = join(E2E, "node_modules/typescript/bin/tsc");

/** Type-checks `files` (name → TypeScript source) in a scratch folder under e2e/node_modules,
 * where `stripe` and `@stripe/stripe-js` resolve; returns tsc's diagnostics ("" when clean).
 * Asynchronous on purpose: a synchronous tsc blocks node's event loop for seconds, so the HTTP
 * client cannot notice that plog closed an idle kept-alive connection (after its header timeout)
 * and the next request is written into a dead socket ("fetch failed"). */
async function typecheck(name, files) {
  const dir = join(E2E, "node_modules/.plog-typecheck", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [file, source] of Object.entries(files)) writeFileSync(join(dir, file), source);
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: "es2022", module: "nodenext", moduleResolution: "nodenext",
      lib: ["es2022", "dom"], skipLibCheck: true, types: [] },
    files: Object.keys(files),
  }));
  try {
    await promisify(execFile)(process.execPath, [TSC, "-p", join(dir, "tsconfig.json")], { encoding: "utf8" });
    return "";
  } catch (error) {
    return `${error.stdout}${error.stderr}`;
  }
}

const PRELUDE = `import type Stripe from "stripe";
/** Fields plog reads must be there with Stripe's types; the rest may be left out, but nothing
 * may be there that the pinned version does not define. */
type DeepPartial<T> = T extends (infer U)[] ? DeepPartial<U>[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
type Reads<E extends { data: { object: unknown } }, K extends keyof E["data"]["object"]> = Omit<E, "data"> & {
  data: { object: Pick<E["data"]["object"], K> & DeepPartial<E["data"]["object"]>; previous_attributes?: DeepPartial<E["data"]["object"]> };
};
type Thin<E> = Omit<E, "fetchRelatedObject" | "fetchEvent">;
`;

// Each fixture and the official type it must satisfy (events plog reads in full are checked
// whole; for charges, refunds and disputes, whose objects carry dozens of fields plog never
// reads, the fields plog reads are required and no unknown field is allowed).
const FIXTURE_TYPES = {
  "payment_intent.succeeded": "Stripe.PaymentIntentSucceededEvent",
  "payment_intent.payment_failed": "Stripe.PaymentIntentPaymentFailedEvent",
  "payment_intent.canceled": "Stripe.PaymentIntentCanceledEvent",
  "charge.refunded.partial": `Reads<Stripe.ChargeRefundedEvent, "id" | "amount" | "amount_refunded" | "refunded" | "payment_intent">`,
  "charge.refunded.full": `Reads<Stripe.ChargeRefundedEvent, "id" | "amount" | "amount_refunded" | "refunded" | "payment_intent">`,
  "charge.refund.updated.failed": `Reads<Stripe.ChargeRefundUpdatedEvent, "id" | "amount" | "status" | "payment_intent">`,
  "charge.dispute.created": `Reads<Stripe.ChargeDisputeCreatedEvent, "id" | "status" | "payment_intent" | "charge">`,
  "charge.dispute.closed.won": `Reads<Stripe.ChargeDisputeClosedEvent, "id" | "status" | "payment_intent" | "charge">`,
  "charge.dispute.closed.lost": `Reads<Stripe.ChargeDisputeClosedEvent, "id" | "status" | "payment_intent" | "charge">`,
  "customer.created": `Reads<Stripe.CustomerCreatedEvent, "id">`,
  "thin.v1.payment_intent.succeeded": "Thin<Stripe.V2.Core.Events.V1PaymentIntentSucceededEvent>",
};

test("the webhook fixtures are events of the pinned API version as the official stripe package types them", async () => {
  const pinned = readFileSync(join(ROOT, "api/src/stripe/mod.rs"), "utf8").match(/pub const API_VERSION: &str = "([^"]+)";/)[1];
  const sdkVersion = JSON.parse(readFileSync(join(E2E, "node_modules/stripe/package.json"), "utf8")).version;
  const sdkApi = readFileSync(join(E2E, "node_modules/stripe/esm/apiVersion.js"), "utf8").match(/'([^']+)'/)[1];
  assert.equal(sdkApi.split(".")[1], pinned.split(".")[1], `stripe ${sdkVersion} speaks ${sdkApi}, plog pins ${pinned}`);

  const names = readdirSync(FIXTURES).filter((f) => f.endsWith(".json")).map((f) => f.replace(/\.json$/, ""));
  const current = names.filter((n) => !n.startsWith("older-version."));
  assert.deepEqual(current.sort(), Object.keys(FIXTURE_TYPES).sort(), "every fixture has its official type");
  let source = PRELUDE;
  for (const name of current) {
    const event = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), "utf8"));
    if (event.object === "event") assert.equal(event.api_version, pinned, `${name} is rendered at the pinned version`);
    source += `export const ${name.replace(/\W/g, "_")} = (${JSON.stringify(event)}) satisfies ${FIXTURE_TYPES[name]};\n`;
  }
  assert.equal(await typecheck("fixtures", { "fixtures.mts": source }), "");
});

test("an event of an older API version is not the pinned version's shape (the check can fail)", async () => {
  const old = readFileSync(join(FIXTURES, "older-version.2019-12-03.payment_intent.succeeded.json"), "utf8");
  const diagnostics = await typecheck("older", {
    "older.mts": `${PRELUDE}export const old = (${old}) satisfies Stripe.PaymentIntentSucceededEvent;\n`,
  });
  assert.match(diagnostics, /charges/, "`charges` is gone at the pinned version");
});

/** The names the widget's Rust hands to Stripe.js: methods it binds and keys it sets or reads. */
function namesTheWidgetUses() {
  const bindings = readFileSync(join(ROOT, "widget/src/stripe_js.rs"), "utf8");
  const names = new Set();
  for (const [, attributes, fn] of bindings.matchAll(/#\[wasm_bindgen\(([^\]]*)\)\]\s*(?:pub )?fn (\w+)/g)) {
    if (!attributes.includes("method") && !attributes.includes("js_name")) continue;
    names.add(attributes.match(/js_name = (\w+)/)?.[1] ?? fn);
  }
  for (const [, key] of bindings.matchAll(/&"([\w:]+)"\.into\(\)/g)) names.add(key);
  // Keys of the objects the bindings build (`("mode", …)`) and fields they read (`text(&e, "code")`).
  for (const [, key] of bindings.matchAll(/\("([\w:]+)", /g)) names.add(key);
  for (const [, key] of bindings.matchAll(/text\(&\w+, "([\w:]+)"\)/g)) names.add(key);
  const theme = readFileSync(join(ROOT, "widget/src/theme.rs"), "utf8");
  const options = theme.slice(theme.indexOf("pub fn card_options"));
  for (const [, key] of options.matchAll(/\("([^"]+)", /g)) names.add(key);
  return [...names];
}

test("every Stripe.js call, option and field the widget uses is one @stripe/stripe-js defines", async () => {
  const calls = readFileSync(join(E2E, "stripe-types/widget-calls.ts"), "utf8");
  const used = namesTheWidgetUses();
  for (const name of ["Stripe", "confirmCardPayment", "elements", "create", "mount", "destroy", "on", "focus", "locale", "payment_intent", "hidePostalCode",
    "confirmPayment", "submit", "allowedPaymentMethodTypes", "availablePaymentMethods", "billingDetails", "paymentFailed", "buttonTheme", "emailRequired", "return_url"]) {
    assert.ok(used.includes(name), `the binding scan found ${name} (${used.join(", ")})`);
  }
  for (const name of used) {
    const written = new RegExp(`(^|[^\\w])${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}([^\\w]|$)`);
    assert.match(calls, written, `widget-calls.ts shows how the widget uses \`${name}\` of Stripe.js`);
  }
  assert.equal(await typecheck("widget-calls", { "widget-calls.ts": calls }), "");
  // A name Stripe.js does not define fails the check.
  const misspelt = calls.replace("hidePostalCode: true", "hidePostcode: true");
  assert.match(await typecheck("widget-calls-misspelt", { "widget-calls.ts": misspelt }), /hidePostcode/);
  // And so does the v3 line's name for the wallets' payment method types, which the endive
  // release dropped for `allowedPaymentMethodTypes` (as the API dropped `payment_method_types`).
  const v3 = calls.replace("allowedPaymentMethodTypes:", "paymentMethodTypes:");
  assert.match(await typecheck("widget-calls-v3", { "widget-calls.ts": v3 }), /'paymentMethodTypes' does not exist/);
});

let h;
before(async () => { h = await new Harness().start(); });
after(async () => { await h?.close(); });

test("the sandbox's Stripe.js double answers with the types Stripe.js declares", async () => {
  const pages = [];
  await withEvidence(h, "stripe-artifacts", () => pages, async () => {
    const pw = await h.createPaywall({ markdown: "paid" });
    const page = await h.newPage();
    pages.push(page);
    await page.goto(h.servePage("/artifacts", blogPage({ title: "artifacts", tags: [h.tag(pw.id)] })));
    await paywall(page).locator(".buy").waitFor(); await widgetReady(page);
    // Load the double before the widget does, and record what it answers.
    await page.addScriptTag({ url: `${h.plogUrl}/sandbox/stripe.js` });
    await page.evaluate(() => {
      window.__answers = { confirms: [], changes: [] };
      // JSON has no `undefined`, which Stripe.js's types require in places (`error: undefined`):
      // it is kept as a marker and written back as `undefined` in the TypeScript.
      const keep = (value) => JSON.parse(JSON.stringify(value, (k, v) => (v === undefined ? "__undefined__" : v)));
      const proto = window.Stripe.prototype;
      const confirm = proto.confirmCardPayment;
      proto.confirmCardPayment = function (...args) {
        return confirm.apply(this, args).then((result) => { window.__answers.confirms.push(keep(result)); return result; });
      };
      const elements = proto.elements;
      proto.elements = function (...args) {
        const made = elements.apply(this, args);
        const create = made.create;
        made.create = (...createArgs) => {
          const card = create.apply(made, createArgs);
          card.on("change", (event) => window.__answers.changes.push(keep(event)));
          return card;
        };
        return made;
      };
    });
    await paywall(page).locator(".buy").click();
    await paywall(page).locator("input[name=cardnumber]").waitFor();
    await paywall(page).locator("input[name=cardnumber]").fill("4242");
    await fillCard(page, CARDS.declined);
    await paywall(page).locator(".pay").click();
    await paywall(page).locator(".error").filter({ hasText: "Your card was declined." }).waitFor();
    await fillCard(page, CARDS.ok);
    await paywall(page).locator(".pay").click();
    await page.locator("plog-content").waitFor({ timeout: 15000 });
    // Confirming the intent that succeeded once more: Stripe answers unexpected state, with it.
    const purchases = await h.purchases(pw.id);
    const again = await page.evaluate(async (given) => {
      const stripe = window.Stripe(given.pk, { locale: "en" });
      const card = stripe.elements().create("card");
      const slot = document.createElement("div");
      document.body.appendChild(slot);
      card.mount(slot);
      slot.querySelector("input[name=cardnumber]").value = "4242424242424242";
      slot.querySelector("input[name=exp-date]").value = "12 / 34";
      slot.querySelector("input[name=cvc]").value = "123";
      return stripe.confirmCardPayment(given.secret, { payment_method: { card } });
    }, { pk: PUBLISHABLE_KEY, secret: await clientSecretOf(purchases.find((p) => p.status === "paid")) });
    const answers = await page.evaluate(() => window.__answers);
    assert.ok(answers.changes.length > 0 && answers.confirms.length >= 2, JSON.stringify(answers));
    assert.equal(again.error.code, "payment_intent_unexpected_state");
    assert.equal(again.error.payment_intent.status, "succeeded");
    const ts = (value) => JSON.stringify(value).replaceAll('"__undefined__"', "undefined");
    let source = `import type { PaymentIntentResult, StripeCardElementChangeEvent } from "@stripe/stripe-js";\n`;
    answers.changes.forEach((c, i) => { source += `export const change${i} = (${ts(c)}) satisfies StripeCardElementChangeEvent;\n`; });
    [...answers.confirms, again].forEach((c, i) => { source += `export const confirm${i} = (${ts(c)}) satisfies PaymentIntentResult;\n`; });
    assert.equal(await typecheck("double-answers", { "answers.mts": source }), "");
  });
});

test("the double's wallet buttons answer with the types Stripe.js declares (ready, confirm, submit, confirmPayment)", async () => {
  const pages = [];
  await withEvidence(h, "stripe-artifacts-wallets", () => pages, async () => {
    const pw = await h.createPaywall({ markdown: "paid by wallet" });
    const page = await h.newPage();
    pages.push(page);
    await page.goto(h.servePage("/artifacts-wallets", blogPage({ title: "artifacts", tags: [h.tag(pw.id)] })));
    await paywall(page).locator(".buy").waitFor(); await widgetReady(page);
    await page.addScriptTag({ url: `${h.plogUrl}/sandbox/stripe.js` });
    await page.evaluate(() => {
      window.__wallet = { ready: [], confirm: [], submit: [], confirmPayment: [] };
      const keep = (value) => JSON.parse(JSON.stringify(value, (k, v) => (v === undefined ? "__undefined__" : v)));
      const proto = window.Stripe.prototype;
      const confirmPayment = proto.confirmPayment;
      proto.confirmPayment = function (...args) {
        return confirmPayment.apply(this, args).then((r) => { window.__wallet.confirmPayment.push(keep(r)); return r; });
      };
      const elements = proto.elements;
      proto.elements = function (...args) {
        const group = elements.apply(this, args);
        const create = group.create;
        group.create = (kind, ...rest) => {
          const made = create.call(group, kind, ...rest);
          if (kind === "expressCheckout") {
            made.on("ready", (event) => window.__wallet.ready.push(keep(event)));
            made.on("confirm", (event) => window.__wallet.confirm.push(keep({ ...event, paymentFailed: undefined })));
          }
          return made;
        };
        const submit = group.submit;
        group.submit = () => submit.call(group).then((r) => { window.__wallet.submit.push(keep(r)); return r; });
        return group;
      };
    });
    await paywall(page).locator(".buy").click();
    await paywall(page).locator("[data-plog-sandbox-wallet]").click();
    await page.locator("[data-plog-sandbox-pay]").click();
    await page.locator("plog-content").waitFor({ timeout: 15000 });
    const answers = await page.evaluate(() => window.__wallet);
    for (const kind of ["ready", "confirm", "submit", "confirmPayment"]) assert.ok(answers[kind].length > 0, `${kind}: ${JSON.stringify(answers)}`);
    const ts = (value) => JSON.stringify(value).replaceAll('"__undefined__"', "undefined");
    let source = `import type { PaymentIntentResult, StripeElements, StripeExpressCheckoutElementConfirmEvent, StripeExpressCheckoutElementReadyEvent } from "@stripe/stripe-js";\n`;
    source += `type Submitted = Awaited<ReturnType<StripeElements["submit"]>>;\n`;
    answers.ready.forEach((e, i) => { source += `export const ready${i} = (${ts(e)}) satisfies StripeExpressCheckoutElementReadyEvent;\n`; });
    answers.confirm.forEach((e, i) => {
      const { paymentFailed, ...rest } = e;
      void paymentFailed;
      source += `export const confirm${i} = ({ ...(${ts(rest)}), paymentFailed: () => {} }) satisfies StripeExpressCheckoutElementConfirmEvent;\n`;
    });
    answers.submit.forEach((e, i) => { source += `export const submit${i} = (${ts(e)}) satisfies Submitted;\n`; });
    answers.confirmPayment.forEach((e, i) => { source += `export const paid${i} = (${ts(e)}) satisfies PaymentIntentResult;\n`; });
    assert.equal(await typecheck("double-wallet-answers", { "answers.mts": source }), "");
  });
});

/** The client secret of a purchase's PaymentIntent, read from the Stripe stand-in. */
async function clientSecretOf(purchase) {
  const r = await fetch(`${h.stripeUrl}/v1/payment_intents/${purchase.payment_intent_id}`, { headers: { authorization: `Bearer ${SECRET_KEY}` } });
  return (await r.json()).client_secret;
}
