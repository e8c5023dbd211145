#!/usr/bin/env bash
# Foreground: web server, Celery worker and Celery beat. Ctrl-C stops all three.
set -uo pipefail
VENV=.venv
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping web, worker and beat…"
  kill "${pids[@]}" 2>/dev/null
  wait 2>/dev/null
  # Services that `make run` itself started (scripts/services.sh noted them) stop too;
  # ones that were already running before are left alone.
  if [ -f var/run/redis ]; then
    echo "Stopping Redis (started by make run)…"
    redis-cli -h 127.0.0.1 shutdown nosave >/dev/null 2>&1
    rm -f var/run/redis
  fi
  if [ -f var/run/postgresql ]; then
    echo "Stopping PostgreSQL (started by make run)…"
    pg_ctlcluster --skip-systemctl-redirect "$(cat var/run/postgresql)" main stop
    rm -f var/run/postgresql
  fi
  exit 0
}
trap stop INT TERM EXIT

$VENV/bin/celery -A config worker --loglevel=INFO --concurrency=2 &
pids+=($!)
$VENV/bin/celery -A config beat --loglevel=INFO &
pids+=($!)
# The three web workers count requests into one directory, added up at /metrics.
export PROMETHEUS_MULTIPROC_DIR=var/run/prometheus
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
$VENV/bin/gunicorn config.wsgi:application --bind "$HOST:$PORT" --workers 3 --access-logfile - &
pids+=($!)

sleep 2
case "${DJANGO_DEBUG:-}" in 1|true|True|TRUE|yes|on) DEBUG_STATE=ON ;; *) DEBUG_STATE=off ;; esac
cat <<MSG

  Warm stations is running.
    Workers' mobile map   http://$HOST:$PORT/m/
    Staff admin           http://$HOST:$PORT/admin/
    API docs              http://$HOST:$PORT/api/docs/
    Health                http://$HOST:$PORT/healthz
    Metrics               http://$HOST:$PORT/metrics (with METRICS_TOKEN set; README: Operations)

  DEBUG is ${DEBUG_STATE}: errors show friendly pages, not tracebacks (DJANGO_DEBUG=1 make run
  for a developer's tracebacks).

  Demo logins (password: ${DEMO_PASSWORD:-warm-demo-2026}):
    admin (superuser, installation only), system_admin, security_admin, audit_admin,
    city_qingyang, city_huizhou, district_xifeng,
    district_zhifu, district_chanhe, street_qishan, community_beidajie,
    keeper_beidajie, viewer_xifeng, auditor_xifeng, party_xifeng
  The superuser, the three administrators and city and district departments set up
  two-factor authentication at their first login (an authenticator app on a phone);
  TWO_FACTOR_REQUIRED_FOR= (empty) before make run skips that for a quick look.

  Ctrl-C stops everything.
MSG
wait -n "${pids[@]}"
echo "A process exited; stopping the rest."
stop
