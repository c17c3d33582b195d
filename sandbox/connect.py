"""Stripe Connect for the gateway (sandbox/stripe_gateway.py): what localstripe lacks entirely.

- Connected accounts as `POST /v1/accounts` makes them with controller properties (Stripe
  collects the requirements, the account pays Stripe's fees, Stripe bears the losses, full
  dashboard): `charges_enabled` false and `card_payments` inactive until the account is onboarded.
- Account Links (`POST /v1/account_links`): a single-use URL, five minutes long, to this gateway's
  onboarding page, whose button does what finishing Stripe's onboarding does — the account can
  take card payments — then sends the creator to `return_url`; a used or expired link sends them
  to `refresh_url`, as Stripe does.
- Who owns what: each PaymentIntent and PaymentMethod is recorded with the account it was created
  on (`Stripe-Account`, or the platform's own when absent). A request on another account gets
  404 `resource_missing`, as at Stripe; an account the platform does not have (or whose access
  was revoked) gets 403 `account_invalid`.
- Levers for tests: `POST /_gateway/connect/accounts/ID/deauthorize` (the account revoked the
  platform's access: `account.application.deauthorized`) and `…/restrict` (Stripe disabled card
  payments: `account.updated`).
"""

import html
import secrets
import time

ACCOUNT_LINK_SECS = 300


def account_invalid(account):
    return (403, {"error": {
        "type": "invalid_request_error", "code": "account_invalid",
        "message": f"The provided key does not have access to account '{account}' (or that account does not "
                   "exist). Application access may have been revoked.",
    }})


def no_such(kind, object_id, param):
    return (404, {"error": {"type": "invalid_request_error", "code": "resource_missing", "param": param,
                            "message": f"No such {kind}: '{object_id}'"}})


class Connect:
    def __init__(self, gateway_url):
        self.gateway_url = gateway_url
        self.accounts = {}  # acct_… → account object (v1 shape)
        self.revoked = set()
        self.links = {}  # token → {account, refresh_url, return_url, expires_at, used}
        self.owner = {}  # pi_… / pm_… → acct_… (absent: the platform's own)

    # --- which account a request acts on ---------------------------------------------------

    def acting_account(self, headers):
        """The `Stripe-Account` of a request, or None; a refusal if the platform has no such account."""
        account = headers.get("Stripe-Account")
        if account is None:
            return None, None
        if account not in self.accounts or account in self.revoked:
            return account, account_invalid(account)
        return account, None

    def record(self, object_id, account):
        if account is not None and object_id:
            self.owner[object_id] = account

    def visible(self, object_id, account):
        """Whether a request acting on `account` (None: the platform) may see `object_id`."""
        return self.owner.get(object_id) == account

    # --- accounts and account links ---------------------------------------------------------

    def create_account(self, form):
        fields = dict(form)
        account_id = "acct_" + secrets.token_hex(8)
        metadata = {k[len("metadata["):-1]: v for k, v in form if k.startswith("metadata[")}
        controller = {
            "fees": {"payer": fields.get("controller[fees][payer]", "account")},
            "losses": {"payments": fields.get("controller[losses][payments]", "stripe")},
            "requirement_collection": fields.get("controller[requirement_collection]", "stripe"),
            "stripe_dashboard": {"type": fields.get("controller[stripe_dashboard][type]", "full")},
            "is_controller": True, "type": "application",
        }
        requested = [k.split("[")[1].rstrip("]") for k, v in form
                     if k.startswith("capabilities[") and k.endswith("[requested]") and v == "true"]
        account = {
            "id": account_id, "object": "account", "type": "standard" if controller["stripe_dashboard"]["type"] == "full" else "custom",
            "controller": controller, "email": fields.get("email"), "metadata": metadata,
            "country": fields.get("country", "JP"), "default_currency": "jpy", "created": int(time.time()),
            "charges_enabled": False, "payouts_enabled": False, "details_submitted": False,
            "capabilities": {name: "inactive" for name in requested},
            "requirements": {"currently_due": ["business_profile.url", "external_account"], "disabled_reason": "requirements.past_due"},
            "livemode": False,
        }
        self.accounts[account_id] = account
        return 200, account

    def read_account(self, account_id):
        if account_id not in self.accounts or account_id in self.revoked:
            return account_invalid(account_id)
        return 200, self.accounts[account_id]

    def create_link(self, form):
        fields = dict(form)
        account = fields.get("account", "")
        if account not in self.accounts or account in self.revoked:
            return account_invalid(account)
        for required in ("refresh_url", "return_url", "type"):
            if not fields.get(required):
                return 400, {"error": {"type": "invalid_request_error", "code": "parameter_missing", "param": required,
                                       "message": f"Missing required param: {required}."}}
        token = secrets.token_urlsafe(16)
        expires_at = int(time.time()) + ACCOUNT_LINK_SECS
        self.links[token] = {"account": account, "refresh_url": fields["refresh_url"],
                             "return_url": fields["return_url"], "expires_at": expires_at, "used": False}
        return 200, {"object": "account_link", "created": int(time.time()), "expires_at": expires_at,
                     "url": f"{self.gateway_url}/_gateway/connect/onboarding/{token}"}

    def open_link(self, token):
        """The link behind `token` if it can still be used; else where Stripe would send the user."""
        link = self.links.get(token)
        if link is None:
            return None, None
        if link["used"] or link["expires_at"] < time.time():
            return None, link["refresh_url"]
        return link, None

    def onboarding_page(self, token, link):
        account = self.accounts[link["account"]]
        return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Stripe sandbox: onboarding</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32em;margin:3em auto;line-height:1.5}}
button{{font-size:1em;padding:.5em 1em}}</style></head><body>
<h1>Stripe sandbox: onboarding</h1>
<p>This page stands in for Stripe's hosted onboarding of <code id="account">{html.escape(account["id"])}</code>
({html.escape(account.get("email") or "no e-mail")}). Nothing is sent to Stripe.</p>
<form method="post"><button id="complete" type="submit">Complete onboarding</button></form>
</body></html>"""

    def complete(self, token):
        """Finishes onboarding: the account can take card payments. (account, previous, return_url)."""
        link = self.links[token]
        link["used"] = True
        account = self.accounts[link["account"]]
        previous = {"charges_enabled": account["charges_enabled"], "details_submitted": account["details_submitted"],
                    "capabilities": dict(account["capabilities"])}
        account.update(charges_enabled=True, payouts_enabled=True, details_submitted=True,
                       requirements={"currently_due": [], "disabled_reason": None})
        account["capabilities"]["card_payments"] = "active"
        return account, previous, link["return_url"]

    def restrict(self, account_id):
        account = self.accounts[account_id]
        previous = {"charges_enabled": account["charges_enabled"], "capabilities": dict(account["capabilities"])}
        account["charges_enabled"] = False
        account["capabilities"]["card_payments"] = "inactive"
        account["requirements"] = {"currently_due": ["individual.verification.document"],
                                   "disabled_reason": "requirements.past_due"}
        return account, previous

    def revoke(self, account_id):
        self.revoked.add(account_id)

    @staticmethod
    def event(kind, obj, account, previous=None):
        data = {"object": obj}
        if previous is not None:
            data["previous_attributes"] = previous
        return {"id": "evt_" + secrets.token_hex(12), "object": "event", "type": kind, "account": account,
                "created": int(time.time()), "livemode": False, "pending_webhooks": 1,
                "request": {"id": None, "idempotency_key": None}, "data": data}
