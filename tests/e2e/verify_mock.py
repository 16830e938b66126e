#!/usr/bin/env python3
"""A mock SFMC token endpoint (POST /v2/token) over HTTPS on 127.0.0.1, for
tests/e2e/verify.sh and bench/verify.sh. Answers by the client id's prefix
(facts: docs/verification.md): live -> 200 with a token; invalid -> 401
invalid_client; slow -> sleeps past the client's timeout; busy -> 429 with
Retry-After: 1; grant -> 400 unsupported_grant_type; html -> 200 text/html.
Logs one line per request: host client_id account_id (never the secret).
Usage: verify_mock.py CERT KEY PORTFILE LOGFILE [TOKEN]"""
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CERT, KEY, PORTFILE, LOGFILE = sys.argv[1:5]
TOKEN = sys.argv[5] if len(sys.argv) > 5 else "mock-access-token-never-shown"
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall

    def log_message(self, *args):
        pass

    def answer(self, code, body, ctype="application/json", headers=()):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        try:
            req = json.loads(raw)
        except ValueError:
            req = {}
        cid = str(req.get("client_id", "-"))
        ok = (self.path == "/v2/token" and req.get("grant_type") == "client_credentials"
              and self.headers.get("Content-Type") == "application/json"
              and "sfmc-scan/" in self.headers.get("User-Agent", "") and req.get("client_secret"))
        with LOCK, open(LOGFILE, "a") as log:
            log.write("%s %s %s %s\n" % (self.headers.get("Host"), cid, req.get("account_id", "-"),
                                         "ok" if ok else "malformed"))
        if cid.startswith("live"):
            self.answer(200, json.dumps({"access_token": TOKEN, "token_type": "Bearer", "expires_in": 1079,
                                         "scope": "email_read", "rest_instance_url": "https://x/"}))
        elif cid.startswith("slow"):
            time.sleep(float(os.environ.get("SFMC_MOCK_SLOW", "4")))
            self.answer(200, json.dumps({"access_token": TOKEN}))
        elif cid.startswith("busy"):
            self.answer(429, json.dumps({"message": "Too many requests", "errorcode": 50100}),
                        headers=[("Retry-After", "1")])
        elif cid.startswith("grant"):
            self.answer(400, json.dumps({"error": "unsupported_grant_type",
                                         "error_description": "Use client_credentials"}))
        elif cid.startswith("html"):
            self.answer(200, "<html><body>Sign in</body></html>", "text/html")
        else:
            self.answer(401, json.dumps({"error": "invalid_client", "error_description":
                                         "Client authentication failed.", "error_uri": "https://developer.salesforce.com/docs"}))


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client refusing the certificate is expected (tests)


srv = Server(("127.0.0.1", 0), Handler)
srv.daemon_threads = True
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
# The handshake happens in each request's thread (on first read), not in accept.
srv.socket = ctx.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=False)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
srv.serve_forever()
