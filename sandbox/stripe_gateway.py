#!/usr/bin/env python3
"""plog's Stripe gateway: localstripe taught to speak the Stripe API version plog pins.

localstripe (the emulator the tests and the offline demo use) speaks an older dialect of the
Stripe API than the version plog pins. plog never bends to it; this gateway stands in front of it
and makes it behave like real Stripe at the pinned version, using Stripe's own published SDK
(the `stripe` package) as the yardstick:

- every request's parameters are checked against the official SDK's parameter lists
  (`stripe.params.*Params`): an unknown one is refused exactly as Stripe refuses it
  (400 `parameter_unknown`, "Received unknown parameter: NAME"); a `Stripe-Version` other than
  the pinned one is refused, and every request is recorded with its version and parameters
  (`GET /_gateway/requests`);
- `allowed_payment_method_types` (the pinned version's name: `card` and `link` for plog) is
  translated into localstripe's `payment_method_types` and kept, as Stripe keeps it, on the intent
  in every answer and event (localstripe forgets it), and the `created` filter of lists, which localstripe does not know, is
  applied here;
- PaymentIntents in answers get the pinned version's shape (`allowed_payment_method_types`,
  `amount_received`, `amount_capturable`, `latest_charge` as an id, no `charges` list), also
  inside `error.payment_intent`, which Stripe includes on a refused confirm;
- webhooks: `POST /_config/webhooks/ID` registers the endpoint with localstripe through a relay
  here; each event localstripe sends is verified, given the pinned version's shape
  (`api_version`, `pending_webhooks`, `request`) and signed again with the official
  `stripe.WebhookSignature.generate_signature_header`;
- idempotency, which localstripe lacks: a POST with an `Idempotency-Key` already seen (same key,
  same secret key, same path) gets the first answer again with `Idempotent-Replayed: true`, as
  Stripe answers it, and creates nothing;
- refunds' events, which localstripe never sends: a refund created here is followed by
  `charge.refunded` with the charge as it now stands (`amount_refunded`, `refunded`), signed for
  every registered endpoint, as Stripe sends it;
- stand-ins for what localstripe lacks and `plog doctor` reads: `GET /v1/account` and
  `GET|POST /v1/webhook_endpoints` (`connect=true` makes a Connect endpoint, which names the
  platform's `application` as Stripe's does; `POST /_gateway/webhook_endpoints/reset` empties
  them);
- wallets' domains (the Payment Method Domains API, which localstripe lacks): create, list
  (with `domain_name`), retrieve and validate, answering Stripe's `payment_method_domain` object
  (Google Pay and Link active; Apple Pay inactive with Stripe's reason, since no Apple file can
  be verified offline). A name that cannot be a public domain — an IP address, `localhost`, the
  reserved `.invalid` — is refused as Stripe refuses it. Each account has its own (with
  `Stripe-Account`, a connected account's, as at Stripe); `POST /_gateway/payment_method_domains/reset`
  empties them.

- Connect, which localstripe lacks (sandbox/connect.py): connected accounts (`POST /v1/accounts`
  with controller properties, `GET /v1/accounts/ID`, `GET /v1/accounts`: the platform's list), Account Links and a small onboarding page
  that completes an account; a request with `Stripe-Account: acct_…` sees only that account's
  PaymentIntents, charges, refunds and payment methods (another account's are 404, as at
  Stripe; an account the platform does not have is 403 `account_invalid`); an
  `application_fee_amount` only on a connected account's intent, never above its amount; events
  of a connected account's objects carry a top-level `account` and reach only the endpoints
  registered with `connect`, the platform's own only the others; idempotency keys are kept per
  account. Every form is checked to the leaf (`controller[fees][payer]`, not only `controller`)
  against the SDK's nested parameter types (sandbox/stripe_params.py).

It starts localstripe itself (from the same virtualenv) on a free port and stops it when it stops.
localstripe is GPL-3: it is run as a program, never imported. Usage:
    python stripe_gateway.py --port PORT --api-version 2026-09-30.endive
"""

import argparse
import asyncio
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

import aiohttp
from aiohttp import web
import stripe

import stripe_params
from connect import Connect
from connect import no_such as connect_no_such

# Which official parameter list governs which call plog (and its tests) make.
ROUTES = [
    ("POST", r"/v1/payment_intents", "PaymentIntentCreateParams"),
    ("GET", r"/v1/payment_intents", "PaymentIntentListParams"),
    ("GET", r"/v1/payment_intents/pi_\w+", "PaymentIntentRetrieveParams"),
    ("POST", r"/v1/payment_intents/pi_\w+", "PaymentIntentUpdateParams"),
    ("POST", r"/v1/payment_intents/pi_\w+/confirm", "PaymentIntentConfirmParams"),
    ("POST", r"/v1/payment_intents/pi_\w+/cancel", "PaymentIntentCancelParams"),
    ("GET", r"/v1/refunds", "RefundListParams"),
    ("POST", r"/v1/refunds", "RefundCreateParams"),
    ("POST", r"/v1/payment_methods", "PaymentMethodCreateParams"),
    ("GET", r"/v1/account", "AccountRetrieveCurrentParams"),
    ("GET", r"/v1/webhook_endpoints", "WebhookEndpointListParams"),
    ("POST", r"/v1/webhook_endpoints", "WebhookEndpointCreateParams"),
    ("POST", r"/v1/payment_method_domains", "PaymentMethodDomainCreateParams"),
    ("GET", r"/v1/payment_method_domains", "PaymentMethodDomainListParams"),
    ("GET", r"/v1/payment_method_domains/pmd_\w+", "PaymentMethodDomainRetrieveParams"),
    ("POST", r"/v1/payment_method_domains/pmd_\w+/validate", "PaymentMethodDomainValidateParams"),
    ("POST", r"/v1/accounts", "AccountCreateParams"),
    ("GET", r"/v1/accounts", "AccountListParams"),
    ("GET", r"/v1/accounts/acct_\w+", "AccountRetrieveParams"),
    ("POST", r"/v1/account_links", "AccountLinkCreateParams"),
]

DOMAIN_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$")


def registrable(name):
    """Whether Stripe would take `name` as a domain: a public host name, not an address."""
    return bool(DOMAIN_NAME.match(name)) and not name.endswith((".invalid", ".localhost")) and name != "localhost"


def wallet(status, reason=None):
    return {"status": status, **({"status_details": {"error_message": reason}} if reason else {})}


def refusal(status, message, code=None, param=None, kind="invalid_request_error"):
    """(status, payload) of Stripe's error answer."""
    error = {"type": kind, "message": message}
    if code:
        error["code"] = code
    if param:
        error["param"] = param
    return status, {"error": error}


def stripe_error(status, message, code=None, param=None):
    status, payload = refusal(status, message, code, param)
    return web.json_response(payload, status=status)


# PaymentIntent id → the `allowed_payment_method_types` it was created with (localstripe takes
# the list and forgets it; Stripe keeps it on the intent and in its events).
ALLOWED_TYPES = {}

# PaymentIntent id → its `application_fee_amount` (localstripe knows no fees).
FEES = {}


def endive_intent(intent):
    """A localstripe PaymentIntent in the shape of the pinned version."""
    intent = dict(intent)
    types = ALLOWED_TYPES.get(intent.get("id")) or intent.get("payment_method_types") or ["card"]
    intent["allowed_payment_method_types"] = list(types)
    intent["payment_method_types"] = list(types)
    succeeded = intent.get("status") == "succeeded"
    intent["amount_received"] = intent.get("amount", 0) if succeeded else 0
    intent.setdefault("amount_capturable", 0)
    intent.setdefault("confirmation_method", "automatic")
    intent.setdefault("payment_record", None)
    intent.setdefault("excluded_payment_method_types", None)
    intent["application_fee_amount"] = FEES.get(intent.get("id"))
    charge = intent.get("latest_charge")
    if isinstance(charge, dict):
        intent["latest_charge"] = charge.get("id")
    charges = intent.pop("charges", None)
    if intent.get("latest_charge") is None and isinstance(charges, dict) and charges.get("data"):
        intent["latest_charge"] = charges["data"][-1].get("id")
    return intent


def endive_shape(value):
    """Every PaymentIntent inside an answer, lists and errors included, in the pinned shape."""
    if isinstance(value, dict):
        value = {k: endive_shape(v) for k, v in value.items()}
        if value.get("object") == "payment_intent":
            value = endive_intent(value)
        return value
    if isinstance(value, list):
        return [endive_shape(v) for v in value]
    return value


class Gateway:
    def __init__(self, upstream, api_version, port):
        self.upstream = upstream
        self.api_version = api_version
        self.port = port
        # What each request carried: [method, path, Stripe-Version or None, User-Agent].
        self.requests = []
        # localstripe endpoint id → (url, secret, connect) of the real receiver: a `connect`
        # endpoint gets the connected accounts' events, the others the platform's own.
        self.relays = {}
        self.connect = Connect(f"http://127.0.0.1:{port}")
        self.webhook_endpoints = []
        # (account, domain name) → payment_method_domain object: as at Stripe, each account
        # (the platform's own is "") has its own registrations.
        self.payment_method_domains = {}
        self.session = None
        # (secret key, path, Idempotency-Key) → (status, payload) of the first answer.
        self.idempotent = {}
        self.background = set()

    async def http(self):
        if self.session is None:
            self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self.session

    # --- the Stripe API, checked and translated -------------------------------------------

    async def api(self, request):
        path = request.path
        version = request.headers.get("Stripe-Version")
        body = await request.read()
        form = urllib.parse.parse_qsl(body.decode(), keep_blank_values=True) if body else []
        query = urllib.parse.parse_qsl(request.query_string, keep_blank_values=True)
        given = form if request.method == "POST" else query
        # The parameters are recorded too: the suite runs its tests at once against this one
        # gateway, so a test counts only the requests about its own objects.
        self.requests.append([request.method, path, version, request.headers.get("User-Agent", ""), dict(given)])
        if version is not None and version != self.api_version:
            return stripe_error(400, f"This gateway speaks Stripe API version {self.api_version} only, not {version}.")
        for method, pattern, class_name in ROUTES:
            if method == request.method and re.fullmatch(pattern, path):
                refused = stripe_params.check(class_name, given)
                if refused:
                    message, param = refused
                    code = "parameter_unknown" if message.startswith("Received unknown") else "parameter_invalid_string"
                    return stripe_error(400, message, code, param)
                break
        account, denied = self.connect.acting_account(request.headers)
        if denied:
            return web.json_response(denied[1], status=denied[0])
        idempotency = None
        if request.method == "POST" and request.headers.get("Idempotency-Key"):
            # Stripe keeps keys per account: the same key on two accounts is two requests.
            idempotency = (request.headers.get("Authorization"), account, path, request.headers["Idempotency-Key"])
            if idempotency in self.idempotent:
                status, payload = self.idempotent[idempotency]
                return web.json_response(payload, status=status, headers={"Idempotent-Replayed": "true"})
        status, payload = await self.answer(request, path, account, form, query)
        # Stripe keeps the answer of a key unless the request failed on its side (5xx).
        if idempotency is not None and status < 500:
            self.idempotent[idempotency] = (status, payload)
        return web.json_response(payload, status=status)

    async def answer(self, request, path, account, form, query):
        """(status, payload) of one API request on `account` (None: the platform's own)."""
        connect = self.connect
        if path == "/v1/account" and request.method == "GET":
            if account is not None:
                return connect.read_account(account)
            return 200, {"id": "acct_gateway", "object": "account", "charges_enabled": True,
                         "details_submitted": True, "country": "JP", "default_currency": "jpy"}
        if path == "/v1/accounts" and request.method == "POST":
            return connect.create_account(form)
        if path == "/v1/accounts" and request.method == "GET":
            # The gateway's platform has Connect: its connected accounts, newest first.
            listed = [a for i, a in reversed(connect.accounts.items()) if i not in connect.revoked]
            limit = int(dict(query).get("limit", 10))
            return 200, {"object": "list", "url": "/v1/accounts", "has_more": len(listed) > limit, "data": listed[:limit]}
        if path.startswith("/v1/accounts/") and request.method == "GET":
            return connect.read_account(path.rsplit("/", 1)[1])
        if path == "/v1/account_links" and request.method == "POST":
            return connect.create_link(form)
        if path == "/v1/webhook_endpoints":
            return self.webhook_endpoint_api(request.method, form)
        if path.startswith("/v1/payment_method_domains"):
            return self.payment_method_domain_api(request.method, path, dict(form), dict(query), account or "")
        # What belongs to another account is missing, as at Stripe.
        intent = re.match(r"/v1/payment_intents/(pi_\w+?)(_secret_\w+)?(/|$)", path)
        if intent and not connect.visible(intent.group(1), account):
            return connect_no_such("payment_intent", intent.group(1), "intent")
        fields = dict(form)
        for name, kind in (("payment_method", "PaymentMethod"), ("payment_intent", "payment_intent")):
            if fields.get(name) and not connect.visible(fields[name], account):
                return connect_no_such(kind, fields[name], name)
        if path == "/v1/refunds" and request.method == "GET":
            wanted = dict(query).get("payment_intent")
            if wanted and not connect.visible(wanted, account):
                return connect_no_such("payment_intent", wanted, "payment_intent")
        charge = re.fullmatch(r"/v1/charges/(ch_\w+)", path)
        fee = None
        if path == "/v1/payment_intents" and request.method == "POST" and "application_fee_amount" in fields:
            # localstripe knows no fees: checked and kept here, as Stripe keeps it on the intent.
            if account is None:
                return 400, {"error": {"type": "invalid_request_error", "param": "application_fee_amount", "message":
                             "Can only apply an application_fee_amount when the PaymentIntent is attempting a direct "
                             "payment (using an OAuth key or Stripe-Account header) or destination payment (using "
                             "`transfer_data[destination]`)."}}
            fee = int(fields["application_fee_amount"])
            if fee < 0 or fee > int(fields.get("amount", 0)):
                return 400, {"error": {"type": "invalid_request_error", "param": "application_fee_amount",
                             "message": "The application fee must be a positive integer no greater than the amount."}}
            form = [(k, v) for k, v in form if k != "application_fee_amount"]
        allowed = [v for k, v in form if k.startswith("allowed_payment_method_types")]
        # localstripe's older names for what the pinned version calls otherwise.
        form = [(re.sub(r"^allowed_payment_method_types", "payment_method_types", k), v) for k, v in form]
        created_filter = [(k, v) for k, v in query if k.startswith("created[")]
        query = [(k, v) for k, v in query if not k.startswith("created[")]
        headers = {k: v for k, v in request.headers.items() if k.lower() in ("authorization", "content-type")}
        session = await self.http()
        url = self.upstream + path + ("?" + urllib.parse.urlencode(query) if query else "")
        data = urllib.parse.urlencode(form) if request.method == "POST" else None
        async with session.request(request.method, url, data=data, headers=headers) as answer:
            status = answer.status
            text = await answer.text()
        try:
            payload = json.loads(text)
        except ValueError:
            return status, {"error": {"type": "api_error", "message": text}}
        if charge and status == 200 and not connect.visible(payload.get("payment_intent"), account):
            return connect_no_such("charge", charge.group(1), "charge")
        created = request.method == "POST" and status == 200 and path in ("/v1/payment_intents", "/v1/payment_methods")
        if created:
            connect.record(payload.get("id"), account)
        if path == "/v1/payment_intents" and request.method == "POST" and status == 200:
            if allowed:
                ALLOWED_TYPES[payload.get("id")] = allowed
            if fee is not None:
                FEES[payload.get("id")] = fee
        payload = endive_shape(payload)
        if path == "/v1/refunds" and request.method == "POST" and status == 200:
            task = asyncio.ensure_future(self.send_refund_event(payload, headers))
            self.background.add(task)
            task.add_done_callback(self.background.discard)
        if isinstance(payload, dict) and isinstance(payload.get("data"), list) and payload.get("object") == "list":
            await self.fill_list(payload, path, query, headers, account, created_filter)
        return status, payload

    async def fill_list(self, payload, path, query, headers, account, created_filter):
        """A list as Stripe answers it on `account`: up to `limit` of the acting account's own
        objects (within `created`), not one upstream page filtered down — a page of other
        accounts' objects must not look like the end of the list. Pages of localstripe's list
        are read on until `limit` are kept or the list ends."""
        keep = lambda o: self.listed(o, account) and (not created_filter or created_matches(o.get("created"), created_filter))
        limit = int(dict(query).get("limit", 10))
        kept = [o for o in payload["data"] if keep(o)]
        more = payload.get("has_more", False)
        last = payload["data"][-1].get("id") if payload["data"] else None
        session = await self.http()
        while len(kept) < limit and more and last:
            following = [(k, v) for k, v in query if k != "starting_after"] + [("starting_after", last)]
            async with session.get(self.upstream + path + "?" + urllib.parse.urlencode(following), headers=headers) as answer:
                page = endive_shape(json.loads(await answer.text()))
            data = page.get("data") or []
            kept += [o for o in data if keep(o)]
            more = page.get("has_more", False)
            last = data[-1].get("id") if data else None
        payload["data"] = kept[:limit]
        payload["has_more"] = len(kept) > limit or bool(more)

    def listed(self, obj, account):
        """Whether a listed object is the acting account's (a refund by its intent)."""
        if not isinstance(obj, dict):
            return True
        if obj.get("object") in ("payment_intent", "payment_method"):
            return self.connect.visible(obj.get("id"), account)
        if obj.get("object") in ("refund", "charge"):
            return self.connect.visible(obj.get("payment_intent"), account)
        return True

    def webhook_endpoint_api(self, method, form):
        if method == "GET":
            return 200, {"object": "list", "url": "/v1/webhook_endpoints", "has_more": False,
                         "data": [{k: v for k, v in e.items() if k != "secret"} for e in self.webhook_endpoints]}
        fields = {}
        events = []
        for k, v in form:
            if k.startswith("enabled_events"):
                events.append(v)
            else:
                fields[k] = v
        if not fields.get("url") or not events:
            return refusal(400, "Missing required param: url or enabled_events.")
        # `connect=true` makes a Connect endpoint: Stripe names the platform's application on it.
        connect = fields.get("connect", "").lower() == "true"
        endpoint = {"id": "we_" + secrets.token_hex(12), "object": "webhook_endpoint", "url": fields["url"],
                    "application": "ca_gateway" if connect else None,
                    "enabled_events": events, "api_version": fields.get("api_version"), "status": "enabled",
                    "livemode": False, "created": int(time.time()), "secret": "whsec_" + secrets.token_hex(16)}
        self.webhook_endpoints.append(endpoint)
        return 200, endpoint

    def payment_method_domain_api(self, method, path, form, query, account):
        own = {name: d for (owner, name), d in self.payment_method_domains.items() if owner == account}
        if path == "/v1/payment_method_domains" and method == "GET":
            found = [d for d in own.values() if query.get("domain_name") in (None, d["domain_name"])]
            return 200, {"object": "list", "url": "/v1/payment_method_domains", "has_more": False,
                         "data": found[: int(query.get("limit", 10))]}
        if path == "/v1/payment_method_domains" and method == "POST":
            name = form.get("domain_name", "")
            if not name:
                return refusal(400, "Missing required param: domain_name.", "parameter_missing", "domain_name")
            if not registrable(name):
                return refusal(400, f"The domain name {name!r} is invalid: register a public domain name "
                                    "(no scheme, port, path or IP address).", "domain_name_invalid", "domain_name")
            if name in own:
                return refusal(400, f"A payment method domain for {name} already exists.",
                                    "resource_already_exists", "domain_name")
            enabled = form.get("enabled", "true") != "false"
            apple = ("Apple Pay could not verify the domain: https://" + name
                     + "/.well-known/apple-developer-merchantid-domain-association was not found.")
            domain = {"id": "pmd_" + secrets.token_hex(12), "object": "payment_method_domain", "domain_name": name,
                      "enabled": enabled, "created": int(time.time()), "livemode": False,
                      "apple_pay": wallet("inactive", apple), "google_pay": wallet("active"), "link": wallet("active"),
                      "paypal": wallet("inactive"), "amazon_pay": wallet("inactive"), "klarna": wallet("inactive")}
            self.payment_method_domains[(account, name)] = domain
            return 200, domain
        match = re.fullmatch(r"/v1/payment_method_domains/(pmd_\w+)(/validate)?", path)
        found = [d for d in own.values() if match and d["id"] == match.group(1)]
        if not found:
            return refusal(404, "No such payment_method_domain", "resource_missing", "id")
        return 200, found[0]

    async def reset_payment_method_domains(self, request):
        self.payment_method_domains = {}
        return web.json_response({"reset": True})

    async def reset_webhook_endpoints(self, request):
        self.webhook_endpoints = []
        return web.json_response({"reset": True})

    async def seen_requests(self, request):
        return web.json_response({"api_version": self.api_version, "requests": self.requests})

    # --- webhooks, relayed in the pinned shape ---------------------------------------------

    async def config_webhook(self, request):
        endpoint = request.match_info["id"]
        if request.content_type == "application/json":
            data = await request.json()
        else:
            data = dict(await request.post())
        url, secret = data.get("url"), data.get("secret")
        if not url or not secret:
            return web.Response(status=400, text="url and secret are required")
        self.relays[endpoint] = (url, secret, str(data.get("connect", "")).lower() in ("true", "1"))
        relayed = {"url": f"http://127.0.0.1:{self.port}/_relay/{endpoint}", "secret": secret}
        if data.get("events") is not None:
            relayed["events"] = data["events"]
        session = await self.http()
        async with session.post(f"{self.upstream}/_config/webhooks/{endpoint}", json=relayed) as answer:
            return web.Response(status=answer.status, text=await answer.text())

    async def relay(self, request):
        endpoint = request.match_info["id"]
        if endpoint not in self.relays:
            return web.Response(status=404)
        url, secret, connect = self.relays[endpoint]
        payload = await request.read()
        try:
            stripe.WebhookSignature.verify_header(payload, request.headers.get("Stripe-Signature"), secret, 600)
        except stripe.SignatureVerificationError:
            return web.Response(status=400, text="localstripe's signature does not verify")
        event = json.loads(payload)
        event["api_version"] = self.api_version
        event.setdefault("pending_webhooks", 1)
        event.setdefault("request", {"id": None, "idempotency_key": None})
        event["data"] = endive_shape(event.get("data", {}))
        obj = event["data"].get("object") or {}
        owner = self.connect.owner.get(obj.get("payment_intent") if obj.get("object") in ("charge", "refund") else obj.get("id"))
        if owner is not None:
            event["account"] = owner
        if connect != (owner is not None):
            return web.Response(status=200, text="not this endpoint's account")
        status, text = await self.deliver(url, secret, event)
        return web.Response(status=status, text=text)

    async def deliver(self, url, secret, event):
        """POSTs `event` signed with stripe-python's own signer; (status, text) of the receiver."""
        body = json.dumps(event)
        header = stripe.WebhookSignature.generate_signature_header(body, secret, int(time.time()))
        session = await self.http()
        try:
            async with session.post(url, data=body.encode(), headers={
                "Content-Type": "application/json; charset=utf-8", "Stripe-Signature": header,
            }) as answer:
                return answer.status, await answer.text()
        except aiohttp.ClientError as error:
            return 502, str(error)

    async def broadcast(self, event):
        """Sends `event` to every endpoint of its kind: `connect` ones for a connected account's."""
        for url, secret, connect in list(self.relays.values()):
            if connect == (event.get("account") is not None):
                await self.deliver(url, secret, event)  # Stripe would retry a failure; tests see it missing

    async def send_refund_event(self, refund, headers):
        """`charge.refunded` for a refund just made, to every registered endpoint of its account."""
        session = await self.http()
        auth = {k: v for k, v in headers.items() if k.lower() == "authorization"}
        async with session.get(f"{self.upstream}/v1/charges/{refund['charge']}", headers=auth) as answer:
            charge = endive_shape(await answer.json())
        event = {"id": "evt_" + secrets.token_hex(12), "object": "event", "type": "charge.refunded",
                 "api_version": self.api_version, "created": int(time.time()), "livemode": False,
                 "pending_webhooks": len(self.relays), "request": {"id": None, "idempotency_key": None},
                 "data": {"object": charge}}
        owner = self.connect.owner.get(charge.get("payment_intent"))
        if owner is not None:
            event["account"] = owner
        await self.broadcast(event)

    # --- Connect's pages and levers (sandbox/connect.py) -----------------------------------

    async def onboarding(self, request):
        token = request.match_info["token"]
        link, refresh = self.connect.open_link(token)
        if link is None:
            if refresh is None:
                return web.Response(status=404, text="No such account link")
            raise web.HTTPSeeOther(refresh)
        if request.method == "GET":
            return web.Response(text=self.connect.onboarding_page(token, link), content_type="text/html")
        account, previous, return_url = self.connect.complete(token)
        await self.broadcast(self.account_event("account.updated", account, previous))
        raise web.HTTPSeeOther(return_url)

    async def account_lever(self, request):
        account_id, lever = request.match_info["id"], request.match_info["lever"]
        if account_id not in self.connect.accounts:
            return web.Response(status=404, text="No such account")
        if lever == "restrict":
            account, previous = self.connect.restrict(account_id)
            await self.broadcast(self.account_event("account.updated", account, previous))
        elif lever == "deauthorize":
            self.connect.revoke(account_id)
            application = {"id": "ca_gateway", "object": "application", "name": "plog"}
            await self.broadcast(self.account_event("account.application.deauthorized", application, None, account_id))
        else:
            return web.Response(status=404, text="restrict or deauthorize")
        return web.json_response({"account": account_id, lever: True})

    def account_event(self, kind, obj, previous, account=None):
        event = Connect.event(kind, obj, account or obj["id"], previous)
        event["api_version"] = self.api_version
        return event

    async def passthrough(self, request):
        session = await self.http()
        url = self.upstream + request.path_qs
        headers = {k: v for k, v in request.headers.items() if k.lower() in ("authorization", "content-type")}
        async with session.request(request.method, url, data=await request.read(), headers=headers) as answer:
            return web.Response(status=answer.status, body=await answer.read(),
                                content_type=answer.content_type or "application/json")


def created_matches(created, conditions):
    if created is None:
        return True
    for key, value in conditions:
        bound = int(value)
        op = key[len("created["):-1]
        if (op == "gte" and created < bound) or (op == "gt" and created <= bound) \
                or (op == "lte" and created > bound) or (op == "lt" and created >= bound):
            return False
    return True


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-version", required=True, help="the Stripe API version plog pins")
    parser.add_argument("--localstripe", default=os.path.join(os.path.dirname(sys.executable), "localstripe"))
    args = parser.parse_args()

    upstream_port = free_port()
    child = subprocess.Popen([args.localstripe, "--port", str(upstream_port), "--from-scratch"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(*_):
        child.terminate()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    deadline = time.time() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", upstream_port), timeout=1).close()
            break
        except OSError:
            if time.time() > deadline or child.poll() is not None:
                child.terminate()
                sys.exit("localstripe did not start")
            time.sleep(0.1)

    gateway = Gateway(f"http://127.0.0.1:{upstream_port}", args.api_version, args.port)
    app = web.Application(client_max_size=4 * 1024 * 1024)
    app.router.add_get("/_gateway/requests", gateway.seen_requests)
    app.router.add_post("/_gateway/webhook_endpoints/reset", gateway.reset_webhook_endpoints)
    app.router.add_post("/_gateway/payment_method_domains/reset", gateway.reset_payment_method_domains)
    app.router.add_post("/_config/webhooks/{id}", gateway.config_webhook)
    app.router.add_post("/_relay/{id}", gateway.relay)
    app.router.add_route("*", "/_gateway/connect/onboarding/{token}", gateway.onboarding)
    app.router.add_post("/_gateway/connect/accounts/{id}/{lever}", gateway.account_lever)
    app.router.add_route("*", r"/v1/payment_intents/{id}/_authenticate", gateway.passthrough)
    app.router.add_route("*", r"/v1/{tail:.*}", gateway.api)
    app.router.add_route("*", r"/{tail:.*}", gateway.passthrough)
    try:
        web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None, handle_signals=False)
    finally:
        child.terminate()


if __name__ == "__main__":
    main()
