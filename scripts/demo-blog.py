#!/usr/bin/env python3
"""The demo's sample blog: a static folder served on its own origin with the security headers
a careful blog sends, including the strict Content-Security-Policy docs/operators/security.md recommends (read
from that page, plog's origin filled in), so the demo shows the tag working under it.

Usage: demo-blog.py PORT FOLDER PLOG_ORIGIN
"""
import functools
import http.server
import pathlib
import sys

port, folder, plog_origin = int(sys.argv[1]), sys.argv[2], sys.argv[3]
security = (pathlib.Path(__file__).resolve().parent.parent / "docs/operators/security.md").read_text()
block = security.split("<!-- blog-csp -->")[1].split("<!-- /blog-csp -->")[0]
directives = [line.strip() for line in block.splitlines() if line.strip() and not line.startswith("```")]
policy = "; ".join(d.replace("https://PLOG_HOST", plog_origin) for d in directives) + "; frame-ancestors 'none'"


class Handler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Content-Security-Policy", policy)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "strict-origin-when-cross-origin")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Handler, directory=folder)).serve_forever()
