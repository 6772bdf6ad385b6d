#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL cluster on a loopback port under /tmp, then
# stop and delete the cluster, also when the command fails. The command gets the server in
# CHAPTERHOUSE_TEST_DATABASE_URL. Uses Debian's postgresql binaries; where they are absent it
# says so in one line and exits 0 (make test then runs on SQLite only).
set -euo pipefail

bindir=""
for d in /usr/lib/postgresql/*/bin; do
  [ -x "$d/initdb" ] && bindir="$d"
done
if [ -z "$bindir" ]; then
  echo "PostgreSQL binaries not found (apt-get install postgresql): skipping the PostgreSQL run"
  exit 0
fi

base=$(mktemp -d /tmp/chapterhouse-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_owner=()
if [ "$(id -u)" = "0" ]; then
  # initdb refuses to run as root: the cluster belongs to the postgres user.
  chown postgres: "$base"
  as_owner=(runuser -u postgres --)
fi

stop() {
  "${as_owner[@]}" "$bindir/pg_ctl" -D "$base/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$base"
}
trap stop EXIT

"${as_owner[@]}" "$bindir/initdb" -D "$base/data" -U postgres -A trust --no-sync >"$base/initdb.log" 2>&1 \
  || { cat "$base/initdb.log"; exit 1; }
"${as_owner[@]}" "$bindir/pg_ctl" -D "$base/data" -l "$base/server.log" -w -t 60 start \
  -o "-p $port -k $base -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  >/dev/null || { cat "$base/server.log"; exit 1; }

export CHAPTERHOUSE_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
set +e
"$@"
status=$?
set -e
exit $status
