#!/usr/bin/env bash
# Applies a grant file (deploy/kafka/acls.conf) to a Kafka cluster with Kafka's kafka-acls.sh:
# one `kafka-acls.sh --add` per line, allowing USER each OPERATION on each RESOURCE of the line.
# docker-compose.yml's acls job runs it in the apache/kafka image, as the brokers' super user:
#
#   apply-acls.sh --bootstrap-server HOST:PORT[,…] --command-config CLIENT.properties ACLS.conf
#
# The whole file is checked before anything is applied, so a mistake applies nothing. Adding a
# grant that exists changes nothing, so the job can run on every `docker compose up`; it never
# removes a grant (remove one with `kafka-acls.sh --remove`). ACLS_TOOL names another
# kafka-acls.sh (default /opt/kafka/bin/kafka-acls.sh, the image's).
set -euo pipefail
set -f  # the words of a line are split, never expanded as file names

say() { printf 'apply-acls: %s\n' "$*" >&2; }
fail() { say "$*"; exit 1; }

bootstrap=""
command_config=""
file=""
while [ $# -gt 0 ]; do
    case "$1" in
        --bootstrap-server) [ $# -ge 2 ] || fail "--bootstrap-server needs HOST:PORT[,…]"; bootstrap="$2"; shift 2 ;;
        --command-config) [ $# -ge 2 ] || fail "--command-config needs a file"; command_config="$2"; shift 2 ;;
        -*) fail "unknown option $1" ;;
        *) [ -z "$file" ] || fail "one grant file only, not also $1"; file="$1"; shift ;;
    esac
done
[ -n "$bootstrap" ] || fail "--bootstrap-server is required"
[ -n "$file" ] || fail "usage: apply-acls.sh --bootstrap-server HOST:PORT[,…] [--command-config FILE] ACLS.conf"
[ -r "$file" ] || fail "cannot read $file"
tool="${ACLS_TOOL:-/opt/kafka/bin/kafka-acls.sh}"

# grant LINE NUMBER: sets `arguments` to the kafka-acls.sh arguments of one grant line and
# `summary` to what it grants; returns 1 for a blank or comment line; exits on a bad line.
grant() {
    local text="${1%%#*}" number="$2"
    # shellcheck disable=SC2086  # word splitting is the format
    set -- $text
    [ $# -gt 0 ] || return 1
    [ $# -ge 3 ] || fail "$file:$number: expected USER OPERATIONS RESOURCE..., found: $*"
    local user="$1" operations="$2"
    shift 2
    case "$user" in *[!A-Za-z0-9._-]*) fail "$file:$number: user $user has characters other than letters, digits, '.', '_', '-'" ;; esac
    arguments=(--bootstrap-server "$bootstrap")
    [ -z "$command_config" ] || arguments+=(--command-config "$command_config")
    arguments+=(--add --allow-principal "User:$user")
    local operation resource
    local -a split
    IFS=, read -r -a split <<<"$operations"
    [ ${#split[@]} -gt 0 ] || fail "$file:$number: no operation"
    for operation in "${split[@]}"; do
        case "$operation" in
            Read | Write | Create | Delete | Alter | Describe | ClusterAction | DescribeConfigs | AlterConfigs | IdempotentWrite) ;;
            *) fail "$file:$number: unknown operation '$operation' (one grant lists operations, never All)" ;;
        esac
        arguments+=(--operation "$operation")
    done
    for resource in "$@"; do
        case "$resource" in
            cluster) arguments+=(--cluster) ;;
            topic:?*) arguments+=(--topic "${resource#topic:}") ;;
            group:?*) arguments+=(--group "${resource#group:}") ;;
            transactional-id:?*) arguments+=(--transactional-id "${resource#transactional-id:}") ;;
            *) fail "$file:$number: unknown resource '$resource' (topic:NAME, group:NAME, transactional-id:NAME or cluster)" ;;
        esac
        case "$resource" in *'*'*) fail "$file:$number: '$resource': wildcards are not granted here" ;; esac
    done
    summary="User:$user $operations on $*"
}

# Check every line first.
number=0
while IFS= read -r line || [ -n "$line" ]; do
    number=$((number + 1))
    grant "$line" "$number" || true
done <"$file"

number=0
applied=0
while IFS= read -r line || [ -n "$line" ]; do
    number=$((number + 1))
    grant "$line" "$number" || continue
    say "granting $summary"
    "$tool" "${arguments[@]}" </dev/null || fail "$file:$number: kafka-acls.sh failed granting $summary"
    applied=$((applied + 1))
done <"$file"
say "$applied grant line(s) of $file applied"
