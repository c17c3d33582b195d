#!/usr/bin/env python3
"""A real SMTP server that keeps every message it accepts, with a web inbox to read them.

plog mails receipts and restore codes over SMTP (lettre). The tests and the offline demo point
`PLOG_SMTP_URL` at this catcher: aiosmtpd speaks SMTP (AUTH PLAIN/LOGIN when --user is given),
Python's `email` package parses what arrives, and an aiohttp server shows it:

- `GET /`                 the inbox as a page (newest first), for people (the demo);
- `GET /messages/ID`      one message's HTML part as sent;
- `GET /messages`         every message as JSON: headers, the plain and HTML parts decoded,
                          envelope sender and recipients (what the tests read);
- `DELETE /messages`      forget them all;
- `POST /_refuse?address=A`  answer `550` to RCPT TO of A from now on (a permanently refused
                          address); `POST /_refuse` without one stops refusing.

Usage: python mail_catcher.py --smtp-port P --http-port Q [--user U --password W]
"""

import argparse
import asyncio
import email
import email.policy
import html
import json
import signal
import time

from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Catcher:
    """Keeps the messages, and the addresses to refuse."""

    def __init__(self):
        self.messages = []
        self.refused = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refused:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        parts = {"text/plain": None, "text/html": None}
        for part in parsed.walk():
            kind = part.get_content_type()
            if kind in parts and parts[kind] is None and not part.is_multipart():
                parts[kind] = part.get_content()
        self.messages.append({
            "id": len(self.messages) + 1,
            "received_at": time.time(),
            "mail_from": envelope.mail_from,
            "rcpt_to": list(envelope.rcpt_tos),
            "headers": {name.lower(): str(value) for name, value in parsed.items()},
            "content_type": parsed.get_content_type(),
            "text": parts["text/plain"],
            "html": parts["text/html"],
            "authenticated_as": getattr(session, "authenticated_as", None),
        })
        return "250 Message accepted for delivery"


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
                and auth_data.password.decode() == password:
            session.authenticated_as = user
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)
    return check


def web_app(catcher):
    async def inbox(request):
        rows = "".join(
            f"<tr><td>{time.strftime('%H:%M:%S', time.localtime(m['received_at']))}</td>"
            f"<td>{html.escape(', '.join(m['rcpt_to']))}</td>"
            f"<td><a href='/messages/{m['id']}'>{html.escape(m['headers'].get('subject', ''))}</a></td></tr>"
            for m in reversed(catcher.messages))
        page = ("<!doctype html><meta charset=utf-8><title>plog mail catcher</title>"
                "<style>body{font:15px system-ui;margin:2rem}td{padding:.3rem .8rem;border-bottom:1px solid #ddd}</style>"
                "<h1>Mail caught by the demo</h1><p>Receipts and restore codes plog sent. Nothing leaves this machine.</p>"
                f"<table>{rows or '<tr><td>No mail yet.</td></tr>'}</table>")
        return web.Response(text=page, content_type="text/html")

    async def one(request):
        wanted = int(request.match_info["id"])
        for message in catcher.messages:
            if message["id"] == wanted:
                return web.Response(text=message["html"] or f"<pre>{html.escape(message['text'] or '')}</pre>",
                                    content_type="text/html")
        raise web.HTTPNotFound()

    async def listing(request):
        return web.json_response(catcher.messages)

    async def forget(request):
        catcher.messages.clear()
        return web.json_response({"deleted": True})

    async def refuse(request):
        address = request.query.get("address")
        if address:
            catcher.refused.add(address.lower())
        else:
            catcher.refused.clear()
        return web.json_response({"refused": sorted(catcher.refused)})

    app = web.Application()
    app.add_routes([web.get("/", inbox), web.get("/messages", listing), web.delete("/messages", forget),
                    web.get("/messages/{id}", one), web.post("/_refuse", refuse)])
    return app


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smtp-port", type=int, required=True)
    parser.add_argument("--http-port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--user")
    parser.add_argument("--password")
    args = parser.parse_args()
    catcher = Catcher()
    options = {}
    if args.user:
        # Plain-text AUTH on a local test server; real servers require TLS (smtps:// or STARTTLS).
        options = {"authenticator": authenticator(args.user, args.password or ""), "auth_required": True,
                   "auth_require_tls": False}
    smtp = Controller(catcher, hostname=args.host, port=args.smtp_port, **options)
    smtp.start()
    runner = web.AppRunner(web_app(catcher))
    await runner.setup()
    await web.TCPSite(runner, args.host, args.http_port).start()
    print(json.dumps({"smtp": f"{args.host}:{args.smtp_port}", "http": f"http://{args.host}:{args.http_port}/"}),
          flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    smtp.stop()
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
