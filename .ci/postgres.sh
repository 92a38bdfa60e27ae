#!/usr/bin/env bash
# Start PostgreSQL for the journal's tests and print the two variables the tests read.
#
# Source it:  eval "$(bash .ci/postgres.sh)"   → SSL_ORDERS_TEST_POSTGRES=postgres://ssl_orders@127.0.0.1:5432/ssl_orders_test
#                                               PGPASSWORD=<the test role's password>
# - Installs the Debian `postgresql` package with apt-get when pg_ctlcluster is missing.
# - CI runs as root and PostgreSQL refuses to run as root: the cluster is created and started with the Debian
#   wrappers (`pg_createcluster`, `pg_ctlcluster`, which switch to the `postgres` user themselves), and the role and
#   database are created with `runuser -u postgres -- psql`.
# - Under CI=true any failure exits non-zero, so a missing PostgreSQL fails the run instead of skipping tests.
set -euo pipefail
# Only the two export lines go to stdout (the caller evals it): everything the tools print goes to stderr
# (pg_ctlcluster prints e.g. "Removed stale pid file." on stdout).
exec 3>&1 1>&2
# fd 3 must not reach the server: pg_ctlcluster (and apt's postinst) start a daemon that would inherit it and keep
# the caller's pipe open forever (a `$(bash .ci/postgres.sh)` never returns). Every command that may start the
# server runs with `3>&-`.
PASSWORD=ssl-orders-test   # a throwaway role on a loopback-only test cluster

fail() {
  echo "postgres: $*" >&2
  exit 1
}

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || fail "pg_ctlcluster missing and not root: install the postgresql package"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >/dev/null 2>&1 \
    3>&- || fail "apt-get install postgresql failed"
fi
VERSION=$(ls /usr/lib/postgresql | sort -V | tail -1)
[ -n "$VERSION" ] || fail "no PostgreSQL server under /usr/lib/postgresql"
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$VERSION main"; then
  pg_createcluster "$VERSION" main >/dev/null 3>&- || fail "pg_createcluster $VERSION main failed"
fi
if ! pg_lsclusters -h | awk -v v="$VERSION" '$1==v && $2=="main" {print $4}' | grep -qx online; then
  pg_ctlcluster "$VERSION" main start </dev/null 3>&- || fail "pg_ctlcluster $VERSION main start failed"
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done
pg_isready -q -h 127.0.0.1 -p 5432 || fail "PostgreSQL $VERSION did not accept connections on 127.0.0.1:5432"

runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 >/dev/null <<SQL || fail "could not create the test role and database"
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ssl_orders') THEN
    CREATE ROLE ssl_orders LOGIN PASSWORD '$PASSWORD' CREATEDB;
  END IF;
END \$\$;
SQL
if ! runuser -u postgres -- psql -tAq -c "SELECT 1 FROM pg_database WHERE datname = 'ssl_orders_test'" | grep -qx 1; then
  runuser -u postgres -- createdb -O ssl_orders ssl_orders_test || fail "createdb ssl_orders_test failed"
fi
echo >&3 "export SSL_ORDERS_TEST_POSTGRES=postgres://ssl_orders@127.0.0.1:5432/ssl_orders_test"
echo >&3 "export PGPASSWORD=$PASSWORD"
