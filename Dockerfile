# syntax=docker/dockerfile:1
# The one image of every ReentryBus container (docker-compose.yml): `reentrybus` and the contracts
# it carries, on Debian bookworm, whose librdkafka (2.0.2) is the one the Kafka module is built
# and tested against. The entrypoint is the binary: `docker run IMAGE serve router`,
# `docker run IMAGE topics apply --bootstrap HOST:PORT`.
ARG SWIFT_IMAGE=swift:6.3.1-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# ---- build: a Swift 6 toolchain and the C libraries' headers ----
FROM ${SWIFT_IMAGE} AS build
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends librdkafka-dev libsqlite3-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
# Dependencies first: this layer is rebuilt only when the manifest changes.
COPY Package.* ./
RUN swift package resolve
COPY . .
# The Swift runtime is linked in (--static-swift-stdlib), so the runtime image needs no toolchain.
# The contracts ship as SwiftPM resources: the bundle ReentryBus_Contracts.resources must sit
# beside the binary (TopicCatalog.embeddedDirectory), so it is staged with it, links resolved.
RUN swift build -c release --product reentrybus --static-swift-stdlib \
    && bin="$(swift build -c release --show-bin-path)" \
    && mkdir -p /staging \
    && cp "$bin/reentrybus" /staging/reentrybus \
    && cp -RL "$bin/ReentryBus_Contracts.resources" /staging/ReentryBus_Contracts.resources \
    && test -f /staging/ReentryBus_Contracts.resources/glossary.yaml

# ---- runtime: a slim Debian with the shared libraries the binary links ----
FROM ${RUNTIME_IMAGE}
# librdkafka1 (Kafka, with SASL and TLS), libsqlite3-0 (the services' state), ca-certificates
# (TLS to brokers), curl (the compose healthcheck on /health/ready).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends librdkafka1 libsqlite3-0 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /var/lib/reentrybus --shell /usr/sbin/nologin reentrybus \
    && install -d -o reentrybus -g reentrybus -m 0750 /var/lib/reentrybus
COPY --from=build /staging/reentrybus /opt/reentrybus/reentrybus
COPY --from=build /staging/ReentryBus_Contracts.resources /opt/reentrybus/ReentryBus_Contracts.resources
# A named volume mounted on /var/lib/reentrybus starts with that folder's owner, so the services
# can write their databases there.
ENV REENTRYBUS_DATA_DIR=/var/lib/reentrybus
WORKDIR /var/lib/reentrybus
USER reentrybus
# REENTRYBUS_METRICS_LISTEN: /metrics, /health/live, /health/ready.
EXPOSE 9464
ENTRYPOINT ["/opt/reentrybus/reentrybus"]
CMD ["--help"]
