#!/usr/bin/env python3
"""A mock of the GitHub and GitLab repository listings over HTTPS on
127.0.0.1, for tests/e2e/audit_forge.sh. CONFIG is JSON:
{"token": T, "github": {ORG: [PAGE, ...]}, "gitlab": {GROUP: [PAGE, ...]}},
each PAGE a list of repository objects. GitHub pages link the next with
`Link: <...>; rel="next"`, GitLab's with X-Next-Page. Both check the token
(Authorization: Bearer T / PRIVATE-TOKEN: T) and answer 401 without it.
Rate limits: GitHub org "limited-once" answers 403 with Retry-After: 1 to
its first request; "limited" always answers 403 with X-RateLimit-Remaining: 0.
Logs one line per request: the path and whether the token matched (never
the token). Usage: forge_mock.py CERT KEY PORTFILE LOGFILE CONFIG"""
import json
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

CERT, KEY, PORTFILE, LOGFILE, CONFIG = sys.argv[1:6]
with open(CONFIG) as f:
    CONF = json.load(f)
LOCK = threading.Lock()
SEEN = set()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def answer(self, code, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        u = urlsplit(self.path)
        q = parse_qs(u.query)
        page = int(q.get("page", ["1"])[0])
        parts = u.path.split("/")
        gh = len(parts) == 4 and parts[1] == "orgs" and parts[3] == "repos"
        gl = len(parts) == 4 and parts[1] == "groups" and parts[3] == "projects"
        token = CONF["token"]
        ok = (self.headers.get("Authorization") == "Bearer " + token if gh
              else self.headers.get("PRIVATE-TOKEN") == token)
        with LOCK, open(LOGFILE, "a") as log:
            log.write("%s token=%s\n" % (self.path, "ok" if ok else "bad"))
        if not (gh or gl):
            return self.answer(404, {"message": "Not Found"})
        if not ok:
            return self.answer(401, {"message": "Bad credentials"})
        name = unquote(parts[2])
        if gh and name == "limited":
            return self.answer(403, {"message": "API rate limit exceeded"},
                               [("X-RateLimit-Remaining", "0"),
                                ("X-RateLimit-Reset", str(int(time.time()) + 1))])
        if gh and name == "limited-once":
            with LOCK:
                first = name not in SEEN
                SEEN.add(name)
            if first:
                return self.answer(403, {"message": "secondary rate limit"}, [("Retry-After", "1")])
        pages = CONF["github" if gh else "gitlab"].get(name if name != "limited-once" else "acme")
        if pages is None:
            return self.answer(404, {"message": "404 Group Not Found"})
        headers = []
        if page < len(pages):
            if gh:
                nxt = "https://127.0.0.1:%d%s?per_page=100&page=%d" % (self.server.server_port, u.path, page + 1)
                headers.append(("Link", '<%s>; rel="next", <%s>; rel="last"' % (nxt, nxt)))
            else:
                headers.append(("X-Next-Page", str(page + 1)))
        elif gl:
            headers.append(("X-Next-Page", ""))
        self.answer(200, pages[page - 1], headers)


srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.server_port))
import os
os.rename(PORTFILE + ".tmp", PORTFILE)
srv.serve_forever()
