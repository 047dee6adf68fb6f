#!/usr/bin/env bash
# Writes the secrets docker-compose.yml gives to its containers, in deploy/secrets/ (git-ignored):
#   notification.key                 the key the services sign notifications with and the inbox checks
#   kafka-<user>-password            the Kafka password of each client user of docker-compose.yml:
#                                    topics (user reentrybus-topics), router, warrant-resolver, inbox, views, feeds, person-index, scheduler, gateway, operator, reviewer
#                                    (users reentrybus-<service>), each its own
#   kafka-broker-password            the brokers' own Kafka password (user "broker", the super user:
#                                    between brokers and controllers, healthchecks, the acls job)
#   kafka-jaas.conf                  the brokers' list of users and passwords, made from the above
#   kafka-client.properties          what the brokers' healthcheck and the acls job log in with
#   postgres-password                the PostgreSQL password of the user "reentrybus"
# An existing key or password is kept, never overwritten: a new notification key would make the
# inbox refuse the notifications signed with the old one (see README.md, "Production", to rotate
# one). The two files made from the passwords are written again on every run, so a user added
# here reaches the brokers' list (restart the brokers to read it).
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

# derive NAME: standard input into $dir/NAME, replacing it (made from the files above).
derive() {
    cat >"$dir/$1.tmp"
    mv "$dir/$1.tmp" "$dir/$1"
    say "wrote $dir/$1"
}

# The Kafka client users of docker-compose.yml (REENTRYBUS_KAFKA_SASL_USERNAME), by the name of
# their password file kafka-<name>-password: the topics job, each bus service, and the operators'
# and reviewers' tools (`docker compose run --rm operator|reviewer …`).
clients="topics router warrant-resolver inbox views feeds person-index scheduler gateway operator reviewer"

openssl rand -hex 32 | write notification.key
for client in $clients; do
    openssl rand -hex 24 | tr -d '\n' | write "kafka-$client-password"
done
openssl rand -hex 24 | tr -d '\n' | write kafka-broker-password
openssl rand -hex 24 | tr -d '\n' | write postgres-password

broker="$(tr -d '\n' <"$dir/kafka-broker-password")"

{
    printf 'KafkaServer {\n'
    printf '    org.apache.kafka.common.security.plain.PlainLoginModule required\n'
    printf '    username="broker"\n'
    printf '    password="%s"\n' "$broker"
    printf '    user_broker="%s"' "$broker"
    for client in $clients; do
        printf '\n    user_reentrybus-%s="%s"' "$client" "$(tr -d '\n' <"$dir/kafka-$client-password")"
    done
    printf ';\n};\n'
} | derive kafka-jaas.conf

derive kafka-client.properties <<PROPERTIES
security.protocol=SASL_PLAINTEXT
sasl.mechanism=PLAIN
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="$broker";
PROPERTIES
