#!/usr/bin/env bash
# Writes the secrets docker-compose.yml gives to its containers, in deploy/secrets/ (git-ignored):
#   notification.key         the key the services sign notifications with and the inbox checks
#   kafka-sasl-password      the bus services' Kafka password (SASL/PLAIN user "reentrybus")
#   kafka-broker-password    the brokers' own Kafka password (user "broker": between brokers, healthchecks)
#   kafka-jaas.conf          the brokers' list of users and passwords, made from the two above
#   kafka-client.properties  what the brokers' healthcheck logs in with
#   postgres-password        the PostgreSQL password of the user "reentrybus"
# An existing file is kept, never overwritten: a new notification key would make the inbox refuse
# the notifications signed with the old one (see README.md, "Production", to rotate one).
# Prints the names of the files it writes, never their contents.
set -euo pipefail

say() { printf 'make-secrets: %s\n' "$*" >&2; }

command -v openssl >/dev/null 2>&1 || { say "openssl is needed (apt-get install openssl)"; exit 1; }

dir="$(cd "$(dirname "$0")" && pwd)/secrets"
mkdir -p "$dir"
# The folder keeps other users of this machine out. The files themselves must stay readable by the
# containers' own users (Kafka, PostgreSQL and ReentryBus run as different non-root users): compose
# mounts each file as it is, without changing its owner or mode.
chmod 0700 "$dir"
umask 022

# write NAME: standard input into $dir/NAME, unless NAME exists.
write() {
    local target="$dir/$1"
    if [ -e "$target" ]; then
        say "kept $target"
        cat >/dev/null
        return
    fi
    cat >"$target.tmp"
    mv "$target.tmp" "$target"
    say "wrote $target"
}

openssl rand -hex 32 | write notification.key
openssl rand -hex 24 | tr -d '\n' | write kafka-sasl-password
openssl rand -hex 24 | tr -d '\n' | write kafka-broker-password
openssl rand -hex 24 | tr -d '\n' | write postgres-password

client="$(tr -d '\n' <"$dir/kafka-sasl-password")"
broker="$(tr -d '\n' <"$dir/kafka-broker-password")"

write kafka-jaas.conf <<JAAS
KafkaServer {
    org.apache.kafka.common.security.plain.PlainLoginModule required
    username="broker"
    password="$broker"
    user_broker="$broker"
    user_reentrybus="$client";
};
JAAS

write kafka-client.properties <<PROPERTIES
security.protocol=SASL_PLAINTEXT
sasl.mechanism=PLAIN
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="$broker";
PROPERTIES
