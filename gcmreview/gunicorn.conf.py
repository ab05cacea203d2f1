"""Gunicorn's settings for the portal, read from the environment (docs/deploy.md).

    gunicorn --config gcmreview/gunicorn.conf.py gcmreview.wsgi

| variable | default | meaning |
|---|---|---|
| `GUNICORN_BIND` | `127.0.0.1:8000` | where the proxy connects (or `unix:/run/gcm.sock`) |
| `WEB_CONCURRENCY` | 2 × CPU cores + 1 | worker processes |
| `GUNICORN_THREADS` | `2` | threads per worker (`gthread`); 1 gives the `sync` worker |
| `GUNICORN_TIMEOUT` | `120` | seconds before a silent worker is killed and replaced |
| `GUNICORN_MAX_REQUESTS` | `2000` | a worker is replaced after this many requests (0: never) |
| `GUNICORN_ACCESS_LOG` | `-` (stdout) | access log file; empty for none |
| `FORWARDED_ALLOW_IPS` | `127.0.0.1` | proxies whose X-Forwarded-* headers gunicorn trusts |
| `GUNICORN_CONTROL_SOCKET` | none (off) | path of gunicorn's control socket, for `gunicornc` |

Why these defaults, on the 2-core machine docs/performance.md describes: a request spends part of
its time waiting for PostgreSQL, so 2 × cores + 1 processes keep both cores busy; two threads
each let a worker that waits for the database or renders a PDF (CPU bound, a second or two) not
hold up the next request. Each thread keeps its own database connection (CONN_MAX_AGE), so
workers × threads (10 here) plus the background workers is what PostgreSQL must accept per app
server. A worker is replaced now and then (max_requests, with jitter so that not all at once),
which bounds the memory WeasyPrint and Pango keep after large PDFs.
"""

import multiprocessing
import os

import gunicorn.http.wsgi

# gunicorn names itself in a `Server` header on every response and has no setting to stop it
# (the proxy's own header is turned off with nginx's `server_tokens off`, docs/deploy.md). The
# name it sends is this module attribute, read for each response.
gunicorn.http.wsgi.SERVER = "portal"


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
workers = _int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1)
threads = _int("GUNICORN_THREADS", 2)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _int("GUNICORN_TIMEOUT", 120)
# On SIGTERM (a deploy, a restart), running requests get this long to finish.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
# 20 MB attachments: gunicorn itself puts no limit on a body; nginx does (client_max_body_size).
limit_request_line = 8190
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The heartbeat file of each worker in memory rather than on a possibly slow disk.
# Gunicorn's own advice (its heartbeat files only, nothing of the portal's): not a shared temp dir.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108  # nosec B108
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
proc_name = "gcmreview"
# gunicorn's runtime control socket (for `gunicornc`) stays off unless asked for: its default
# path is per user, so two app servers on one machine would fight over it.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
