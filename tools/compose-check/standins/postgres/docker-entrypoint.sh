#!/usr/bin/env bash
# Entry point of the postgres stand-in (its Dockerfile says which contract it follows): initialises
# PGDATA once from the POSTGRES_* variables, runs /docker-entrypoint-initdb.d, then runs the server.
set -Eeuo pipefail

# VAR or VAR_FILE (a file holding the value, for secrets), not both.
file_env() {
  local var="$1" def="${2:-}" file_var="${1}_FILE"
  if [[ -n "${!var:-}" && -n "${!file_var:-}" ]]; then
    echo "error: both ${var} and ${file_var} are set (they are exclusive)" >&2
    exit 1
  fi
  local val="${def}"
  if [[ -n "${!var:-}" ]]; then val="${!var}"; elif [[ -n "${!file_var:-}" ]]; then val="$(<"${!file_var}")"; fi
  export "${var}"="${val}"
  unset "${file_var}"
}

# `docker run image -c x=y` means postgres with those options.
if [[ "${1:0:1}" == '-' ]]; then set -- postgres "$@"; fi

if [[ "$1" != postgres ]]; then exec "$@"; fi

# As root: own the data directory, then start again as postgres.
if [[ "$(id -u)" == 0 ]]; then
  mkdir -p "${PGDATA}"
  chown postgres:postgres "${PGDATA}" "$(dirname "${PGDATA}")"
  chmod 700 "${PGDATA}"
  exec gosu postgres "${BASH_SOURCE[0]}" "$@"
fi

file_env POSTGRES_PASSWORD
file_env POSTGRES_USER postgres
file_env POSTGRES_DB "${POSTGRES_USER}"
file_env POSTGRES_INITDB_ARGS
auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"

if [[ ! -s "${PGDATA}/PG_VERSION" ]]; then
  if [[ -z "${POSTGRES_PASSWORD}" && "${auth}" != trust ]]; then
    cat >&2 <<'MSG'
error: the database is uninitialized and POSTGRES_PASSWORD is not set. Set POSTGRES_PASSWORD (or
POSTGRES_PASSWORD_FILE), or POSTGRES_HOST_AUTH_METHOD=trust to allow every connection without one.
MSG
    exit 1
  fi
  echo "initializing ${PGDATA} (user ${POSTGRES_USER}, database ${POSTGRES_DB})"
  pwfile=$(mktemp)
  printf '%s\n' "${POSTGRES_PASSWORD}" >"${pwfile}"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of options
  initdb --username="${POSTGRES_USER}" --pwfile="${pwfile}" --auth-local=trust --auth-host="${auth}" ${POSTGRES_INITDB_ARGS} -D "${PGDATA}"
  rm -f "${pwfile}"
  echo "host all all all ${auth}" >>"${PGDATA}/pg_hba.conf"
  printf "listen_addresses = '*'\nunix_socket_directories = '/var/run/postgresql'\n" >>"${PGDATA}/postgresql.conf"

  # A server on the Unix socket only, for the database and the init scripts.
  pg_ctl -D "${PGDATA}" -o "-c listen_addresses='' -p 5432" -w start
  psql_init=(psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER}" --no-password)
  if [[ "${POSTGRES_DB}" != postgres ]]; then
    "${psql_init[@]}" --dbname postgres --set db="${POSTGRES_DB}" <<<'CREATE DATABASE :"db";'
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    [[ -e "${f}" ]] || continue
    case "${f}" in
      *.sh)
        if [[ -x "${f}" ]]; then echo "running ${f}"; "${f}"; else echo "sourcing ${f}"; . "${f}"; fi ;;
      *.sql) echo "running ${f}"; "${psql_init[@]}" --dbname "${POSTGRES_DB}" -f "${f}" ;;
      *.sql.gz) echo "running ${f}"; gunzip -c "${f}" | "${psql_init[@]}" --dbname "${POSTGRES_DB}" ;;
      *) echo "ignoring ${f}" ;;
    esac
  done
  pg_ctl -D "${PGDATA}" -m fast -w stop
  echo "PostgreSQL init process complete; ready for start up."
fi

exec "$@"
