// Issue 25, findings L1 and L4: what an attacker learns from restore's timing, and what a flood
// of made-up restore ids does to webhook latency. Starts the same parts as the browser tests
// (plog's debug binary, localstripe behind the gateway, the SMTP catcher) and prints Markdown.
//
//   node bench/restore-timing.mjs        (after scripts/setup --test and cargo build -p plog-api)
//
// L1: a restore request for a buyer's address, and the request right after it, against the same
// for a stranger's address (30 of each, alternating). L4: the latency of signed webhook
// deliveries, alone and while 3,000 exchanges of made-up restore ids arrive (each from its own
// address, so no per-client limit hides the cost).
import { Harness, SECRET_KEY, signedEvent } from "../e2e/lib/harness.mjs";

const PROBES = 30;
const FLOOD = 3000;
// Exchanges in flight at once during the flood (BENCH_CONCURRENCY; 32 saturates both cores).
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY || 32);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => x.toFixed(2);
const address = (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

const h = await new Harness().start({ mail: true, env: { PLOG_TRUSTED_PROXIES: "127.0.0.1", RUST_LOG: "warn" } });
try {
  const paywall = await h.createPaywall({ markdown: "The paid part." });
  const stripe = (path, form) =>
    fetch(`${h.stripeUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${SECRET_KEY}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form),
    }).then((r) => r.json());

  // Buyers who left an address for a receipt.
  const buyers = [];
  for (let i = 0; i < PROBES; i++) {
    const email = `buyer-${i}-${Date.now()}@reader.test`;
    const created = await fetch(`${h.plogUrl}/v1/paywalls/${paywall.id}/purchases`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": address(1000 + i) },
      body: JSON.stringify({ email, language: "en" }),
    }).then((r) => r.json());
    const intent = created.client_secret.split("_secret_")[0];
    const pm = await stripe("/v1/payment_methods", {
      type: "card", "card[number]": "4242424242424242", "card[exp_month]": "12", "card[exp_year]": "2034", "card[cvc]": "123",
    });
    await stripe(`/v1/payment_intents/${intent}`, { payment_method: pm.id });
    await stripe(`/v1/payment_intents/${intent}/confirm`, {});
    buyers.push(email);
  }
  for (const email of buyers) await h.waitForMails(email, 1);

  const restore = async (email, from) => {
    const started = performance.now();
    const r = await fetch(`${h.plogUrl}/v1/restore`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: h.blogUrl, "x-forwarded-for": address(from) },
      body: JSON.stringify({ email, page: `${h.blogUrl}/a`, language: "en" }),
    });
    await r.arrayBuffer();
    if (r.status !== 202) throw new Error(`restore answered ${r.status}`);
    return performance.now() - started;
  };
  const times = { known: [], knownNext: [], unknown: [], unknownNext: [] };
  let client = 5000;
  for (let i = 0; i < PROBES; i++) {
    times.known.push(await restore(buyers[i], client++));
    times.knownNext.push(await restore(`next-${i}-a@reader.test`, client++));
    times.unknown.push(await restore(`stranger-${i}@reader.test`, client++));
    times.unknownNext.push(await restore(`next-${i}-b@reader.test`, client++));
  }

  // Webhook latency, alone and under a flood of made-up restore ids.
  const webhook = async () => {
    const { body, signature } = await signedEvent({
      id: `evt_bench_${Math.random().toString(36).slice(2)}`, object: "event", type: "customer.created",
      created: Math.floor(Date.now() / 1000), data: { object: { id: "cus_bench", object: "customer" } },
    });
    const started = performance.now();
    const r = await fetch(`${h.plogUrl}/v1/webhooks/stripe`, {
      method: "POST", headers: { "stripe-signature": signature, "content-type": "application/json" }, body,
    });
    await r.arrayBuffer();
    return performance.now() - started;
  };
  const quiet = [];
  for (let i = 0; i < 60; i++) quiet.push(await webhook());
  let done = false;
  const statuses = {};
  const flood = (async () => {
    const inFlight = new Set();
    for (let i = 0; i < FLOOD; i++) {
      const id = `rst_${String(i).padStart(20, "0")}`;
      const p = fetch(`${h.plogUrl}/v1/restore/${id}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": address(100000 + i) },
        body: JSON.stringify({ code: "123456" }),
      }).then(async (r) => { await r.arrayBuffer(); statuses[r.status] = (statuses[r.status] || 0) + 1; });
      inFlight.add(p);
      p.finally(() => inFlight.delete(p));
      if (inFlight.size >= CONCURRENCY) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    done = true;
  })();
  const flooded = [];
  while (!done) flooded.push(await webhook());
  await flood;

  console.log(`| L1: restore request, median of ${PROBES} (ms) | buyer's address | stranger's address |`);
  console.log("|---|---:|---:|");
  console.log(`| the request | ${ms(median(times.known))} | ${ms(median(times.unknown))} |`);
  console.log(`| the request right after it | ${ms(median(times.knownNext))} | ${ms(median(times.unknownNext))} |`);
  console.log();
  console.log(`| L4: signed webhook delivery (ms) | median | p95 | n |`);
  console.log("|---|---:|---:|---:|");
  const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];
  console.log(`| alone | ${ms(median(quiet))} | ${ms(p95(quiet))} | ${quiet.length} |`);
  console.log(`| during ${FLOOD} made-up restore ids, ${CONCURRENCY} at once (answers: ${JSON.stringify(statuses)}) | ${ms(median(flooded))} | ${ms(p95(flooded))} | ${flooded.length} |`);
} finally {
  await h.close();
}
