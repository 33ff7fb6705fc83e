"""A stand-in for the operator's app in the e2e lab.

Environment (as stack-wizard's compose file passes it; docs/CONTRACT.md#answers):
  DATABASE_URL  mysql://user:pass@host:3306/db     required: without it /health answers 503 saying so
  REDIS_URL     redis://:pass@host:6379/0          required: without it /health answers 503 saying so
  DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD, REDIS_HOST, REDIS_PORT, REDIS_PASSWORD
                the same parts: optional, but when present they must agree with the URLs (503 otherwise);
                /health lists the ones it saw in "parts"
  PORT          default 8000
  WEB_CONCURRENCY  worker processes sharing the socket (default 1, at most 16)
  APP_MODE      ok | broken (/health always 500) | crash (exit 3 at start)
  APP_VERSION   reported by / and /health

Endpoints (JSON):
  GET  /health         200 when MySQL answers SELECT 1 and Redis answers PING through the URLs, else 503
  GET  /               app name, version, pid, worker count
  POST /items          {"count": N, "prefix": "p"} inserts N rows "p-1".."p-N" into table items
  GET  /items/summary  {"count", "checksum"}: sha256 over "id:value" lines in id order
  POST /kv             {"key": k, "value": v} or {"count": N, "prefix": "p"} sets kv:<key> keys
  GET  /kv/summary     {"count", "checksum"}: sha256 over sorted "key=value" lines of kv:* keys
"""
import hashlib
import json
import os
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

import pymysql
import redis

MODE = os.environ.get("APP_MODE", "ok")
VERSION = os.environ.get("APP_VERSION", "1")
PORT = int(os.environ.get("PORT", "8000"))
TIMEOUT = 3


class Missing(Exception):
    """A required setting is not in the environment: the contract is broken, not the backend."""


def db_params():
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise Missing("DATABASE_URL is not set")
    u = urlsplit(url)
    if u.scheme not in ("mysql", "mariadb", "mysql+pymysql"):
        raise Missing(f"DATABASE_URL: unsupported scheme {u.scheme!r}")
    return dict(host=u.hostname, port=u.port or 3306, user=unquote(u.username or ""),
                password=unquote(u.password or ""), database=u.path.lstrip("/"))


def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        raise Missing("REDIS_URL is not set")
    return url


def part_mismatches():
    """The DB_*/REDIS_* parts that are set and disagree with the URLs; and the names of those seen."""
    seen, bad = [], []
    expected = {}
    try:
        d = db_params()
        expected.update(DB_HOST=d["host"], DB_PORT=str(d["port"]), DB_NAME=d["database"], DB_USER=d["user"], DB_PASSWORD=d["password"])
    except Missing:
        pass
    if os.environ.get("REDIS_URL"):
        r = urlsplit(os.environ["REDIS_URL"])
        expected.update(REDIS_HOST=r.hostname, REDIS_PORT=str(r.port or 6379), REDIS_PASSWORD=unquote(r.password or ""))
    for name, want in expected.items():
        have = os.environ.get(name)
        if have is None:
            continue
        seen.append(name)
        if have != want:
            bad.append(f"{name} does not agree with {'DATABASE_URL' if name.startswith('DB_') else 'REDIS_URL'}")
    return seen, bad


def db(timeout=30):
    return pymysql.connect(**db_params(), connect_timeout=TIMEOUT, read_timeout=timeout, write_timeout=timeout,
                           autocommit=True, charset="utf8mb4")


def cache():
    return redis.Redis.from_url(redis_url(), socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT, decode_responses=True)


def ensure_table(conn):
    with conn.cursor() as c:
        c.execute("CREATE TABLE IF NOT EXISTS items (id BIGINT AUTO_INCREMENT PRIMARY KEY, "
                  "value VARCHAR(255) NOT NULL, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)")


def health():
    if MODE == "broken":
        return 500, {"status": "broken", "version": VERSION}
    result, ok = {"version": VERSION}, True
    try:
        conn = db(timeout=TIMEOUT)
        try:
            with conn.cursor() as c:
                c.execute("SELECT 1")
                c.fetchone()
        finally:
            conn.close()
        result["mysql"] = "ok"
    except Exception as e:  # any failure means unhealthy, with the reason shown
        ok, result["mysql"] = False, f"error: {e}"
    try:
        cache().ping()
        result["redis"] = "ok"
    except Exception as e:
        ok, result["redis"] = False, f"error: {e}"
    seen, bad = part_mismatches()
    result["parts"] = seen
    if bad:
        ok, result["contract"] = False, "; ".join(bad)
    result["status"] = "ok" if ok else "unhealthy"
    return (200 if ok else 503), result


def add_items(body):
    count, prefix = int(body.get("count", 1)), str(body.get("prefix", "item"))
    conn = db()
    try:
        ensure_table(conn)
        with conn.cursor() as c:
            c.executemany("INSERT INTO items (value) VALUES (%s)", [(f"{prefix}-{i}",) for i in range(1, count + 1)])
            c.execute("SELECT COUNT(*) FROM items")
            total = c.fetchone()[0]
    finally:
        conn.close()
    return 201, {"inserted": count, "count": total}


def items_summary():
    conn = db()
    h, n = hashlib.sha256(), 0
    try:
        ensure_table(conn)
        with conn.cursor(pymysql.cursors.SSCursor) as c:
            c.execute("SELECT id, value FROM items ORDER BY id")
            for row_id, value in c:
                h.update(f"{row_id}:{value}\n".encode())
                n += 1
    finally:
        conn.close()
    return 200, {"count": n, "checksum": h.hexdigest()}


def set_kv(body):
    r = cache()
    if "key" in body:
        r.set(f"kv:{body['key']}", str(body.get("value", "")))
        return 201, {"set": 1}
    count, prefix = int(body.get("count", 1)), str(body.get("prefix", "key"))
    pipe = r.pipeline()
    for i in range(1, count + 1):
        pipe.set(f"kv:{prefix}-{i}", f"{prefix}-value-{i}")
    pipe.execute()
    return 201, {"set": count}


def kv_summary():
    r = cache()
    keys = sorted(r.scan_iter(match="kv:*", count=1000))
    values = r.mget(keys) if keys else []
    h = hashlib.sha256()
    for k, v in zip(keys, values):
        h.update(f"{k}={v}\n".encode())
    return 200, {"count": len(keys), "checksum": h.hexdigest()}


class Handler(BaseHTTPRequestHandler):
    server_version = "stack-wizard-lab-app"

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        return json.loads(raw) if raw.strip() else {}

    def route(self, routes):
        path = self.path.split("?", 1)[0]
        fn = routes.get(path)
        if fn is None:
            return self.reply(404, {"error": f"no route {self.command} {path}"})
        try:
            try:
                self.reply(*fn())
            except (BrokenPipeError, ConnectionResetError):
                raise
            except Exception as e:
                self.reply(500, {"error": f"{type(e).__name__}: {e}"})
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up; nothing to answer

    def do_GET(self):
        self.route({
            "/health": health,
            "/": lambda: (200, {"app": "stack-wizard-lab", "version": VERSION, "mode": MODE,
                                "pid": os.getpid(), "workers": WORKERS}),
            "/items/summary": items_summary,
            "/kv/summary": kv_summary,
        })

    def do_POST(self):
        self.route({"/items": lambda: add_items(self.body()), "/kv": lambda: set_kv(self.body())})


def workers():
    try:
        return max(1, min(16, int(os.environ.get("WEB_CONCURRENCY", "1"))))
    except ValueError:
        return 1


WORKERS = workers()


def main():
    if MODE == "crash":
        print("app: APP_MODE=crash, exiting on purpose", file=sys.stderr)
        sys.exit(3)
    server = ThreadingHTTPServer(("0.0.0.0", PORT), Handler, bind_and_activate=False)
    server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.server_bind()
    server.server_activate()
    print(f"app {VERSION} ({MODE}) listening on :{PORT} with {WORKERS} worker(s)", flush=True)
    # Pre-fork like gunicorn: every worker accepts on the one socket; the parent relays SIGTERM.
    # SIGTERM is a graceful stop, as gunicorn's: no new connections (the listening socket is shut
    # down, so a proxy's connect is refused and it tries another instance), the requests in flight
    # finish, then the worker exits.
    server.daemon_threads = False
    children = []
    for _ in range(WORKERS):
        pid = os.fork()
        if pid == 0:
            def graceful(*_):
                threading.Thread(target=server.shutdown, daemon=True).start()
            signal.signal(signal.SIGTERM, graceful)
            server.serve_forever(poll_interval=0.1)
            server.server_close()  # joins the request threads still running
            os._exit(0)
        children.append(pid)

    def stop(*_):
        try:
            # The socket is shared with the workers: shut down once, it stops listening for all of them.
            server.socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        for p in children:
            try:
                os.kill(p, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    status = 0
    while children:
        try:
            pid, st = os.wait()
        except ChildProcessError:
            break
        # As PID 1 it also reaps orphans (a health check's process left by a timed-out shell): not a worker.
        if pid not in children:
            continue
        children.remove(pid)
        if os.waitstatus_to_exitcode(st) not in (0, -signal.SIGTERM):
            status = 1
            stop()
    sys.exit(status)


if __name__ == "__main__":
    main()
