"""gunicorn's configuration for the Metascene web process: ``gunicorn --config deploy/gunicorn.conf.py``.

Run from the repository root (the image's /app, or /opt/metascene on a plain machine). Threads (gthread) suit the
site: requests mostly wait on PostgreSQL, Redis and S3. The figures are those of bench/rush.py, the deadline rush.
Environment: GUNICORN_BIND (default 0.0.0.0:8000), WEB_CONCURRENCY (processes, default 2 per CPU + 1, at most 8),
GUNICORN_THREADS (per process, default 4), GUNICORN_TIMEOUT (seconds, default 300: a large upload's chunk on a
slow line), DJANGO_LOG_LEVEL (also gunicorn's, lower-cased).
"""

import multiprocessing
import os

wsgi_app = "metascene.wsgi:application"
pythonpath = "platform"

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 300))
# Longer than any pause of a client between two requests: a connection closed just as the client reuses it is a
# lost request for clients that do not retry (bench/rush_site.py). Behind a load balancer, keep it above the
# balancer's own idle timeout.
keepalive = 30
# Finish the requests in progress on SIGTERM (a rolling update, a scale-down) before stopping.
graceful_timeout = 30
# Restart each process after this many requests (with jitter, so they do not all restart at once).
max_requests = 5000
max_requests_jitter = 500
# Load the application before forking: the processes share its memory, and a broken setting fails the start.
preload_app = True
# Each process's temporary heartbeat file in memory, not on a (possibly slow or read-only) disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("DJANGO_LOG_LEVEL", "info").lower()
