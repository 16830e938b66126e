#!/usr/bin/env python3
"""git's smart HTTP (`git http-backend`, as CGI) over HTTPS on 127.0.0.1, for
tests/e2e/remote_clone.sh. With credentials given, every request needs Basic
auth with one of them (else 401 and WWW-Authenticate). Logs one line per
request: METHOD PATH user=<user, "-" for none, "bad" for refused> haves=<the
"have" lines of an upload-pack request> (never a password). Stops by itself
after LIFETIME seconds.
Usage: git_https_server.py ROOT CERT KEY PORTFILE LOGFILE LIFETIME [USER:PASSWORD...]"""
import base64
import gzip
import os
import ssl
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

ROOT, CERT, KEY, PORTFILE, LOGFILE, LIFETIME = sys.argv[1:7]
CREDS = sys.argv[7:]
LOCK = threading.Lock()


def log(line):
    with LOCK, open(LOGFILE, "a") as f:
        f.write(line + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def user(self):
        """The user the request authenticates as: "-" none needed or given, None refused."""
        got = self.headers.get("Authorization", "")
        if not CREDS:
            return "-"
        if got.startswith("Basic "):
            try:
                pair = base64.b64decode(got[6:]).decode()
            except ValueError:
                return None
            if pair in CREDS:
                return pair.split(":", 1)[0]
        return None

    def body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                n = int(self.rfile.readline().split(b";")[0], 16)
                if n == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(n)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def serve(self):
        user = self.user()
        data = self.body() if self.command == "POST" else b""
        plain = gzip.decompress(data) if self.headers.get("Content-Encoding") == "gzip" else data
        haves = plain.count(b"have ")
        log("%s %s user=%s haves=%d" % (self.command, self.path, user or "bad", haves))
        if user is None:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        url = urlsplit(self.path)
        env = dict(os.environ, GIT_PROJECT_ROOT=ROOT, GIT_HTTP_EXPORT_ALL="1", PATH_INFO=url.path,
                   QUERY_STRING=url.query, REQUEST_METHOD=self.command, REMOTE_ADDR="127.0.0.1",
                   REMOTE_USER=user, CONTENT_TYPE=self.headers.get("Content-Type", ""),
                   CONTENT_LENGTH=str(len(plain)))
        if self.headers.get("Git-Protocol"):
            env["HTTP_GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        out = subprocess.run(["git", "http-backend"], input=plain, env=env, capture_output=True, check=False).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        status, headers = 200, []
        for line in head.split(b"\r\n"):
            k, _, v = line.decode().partition(":")
            if k.lower() == "status":
                status = int(v.split()[0])
            elif k:
                headers.append((k, v.strip()))
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = serve
    do_POST = serve


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that refuses the certificate or goes away: nothing to report


server = Server(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
threading.Timer(float(LIFETIME), os._exit, (0,)).start()
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
server.serve_forever()
