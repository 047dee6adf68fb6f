// The raw-librdkafka baseline for `reentrybus bench kafka`: see include/KafkaBaseline.h.
//
// A deliberately plain librdkafka program (producev + delivery reports, a consumer group read
// with rd_kafka_consumer_poll), so the Swift client is compared against what a straightforward C
// user of the library would get on the same broker. No global mutable state: every callback gets
// its context through librdkafka's opaque pointer.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 // clock_nanosleep and friends, also under strict -std=c11
#endif

#include "KafkaBaseline.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

/// A consumer (or producer flush) that makes no progress for this long fails the run.
#define KB_STALL_NS (30ull * 1000000000ull)
/// Key length: the message index formatted as 16 decimal digits.
#define KB_KEY_LEN 16
/// Produce loop: serve delivery reports every this many messages.
#define KB_POLL_EVERY 1000u

// MARK: - Helpers

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/// Sleeps until the absolute CLOCK_MONOTONIC time `deadline_ns` (returns at once if it passed).
static void sleep_until_ns(uint64_t deadline_ns) {
#if defined(__linux__)
    struct timespec ts = {.tv_sec = (time_t)(deadline_ns / 1000000000ull),
                          .tv_nsec = (long)(deadline_ns % 1000000000ull)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
    }
#else // no clock_nanosleep (e.g. macOS): relative sleeps towards the absolute deadline
    for (;;) {
        uint64_t now = now_ns();
        if (now >= deadline_ns) return;
        uint64_t d = deadline_ns - now;
        struct timespec ts = {.tv_sec = (time_t)(d / 1000000000ull),
                              .tv_nsec = (long)(d % 1000000000ull)};
        nanosleep(&ts, NULL);
    }
#endif
}

/// The sum of `n` bytes. Fixed 64-byte blocks let compilers vectorize it at -O2 (as Swift's
/// optimizer does for the equivalent loop); the value is the plain byte sum.
static uint64_t byte_sum(const unsigned char *p, size_t n) {
    uint64_t sum = 0;
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        uint32_t block = 0;
        for (size_t j = 0; j < 64; j++) block += p[i + j];
        sum += block;
    }
    for (; i < n; i++) sum += p[i];
    return sum;
}

static void result_reset(kb_result *out) { memset(out, 0, sizeof *out); }

/// Records an error in `out`; the first error wins. Returns -1 for `return fail(...)`.
static int fail(kb_result *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(kb_result *out, const char *fmt, ...) {
    if (out->error) return -1;
    out->error = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->error_text, sizeof out->error_text, fmt, ap);
    va_end(ap);
    return -1;
}

/// Sets `name`=`value` on `conf`, recording a failure in `out`. Returns 0 on success.
static int conf_set(rd_kafka_conf_t *conf, const char *name, const char *value, kb_result *out) {
    char errstr[256];
    if (rd_kafka_conf_set(conf, name, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
        return fail(out, "config %s=%s: %s", name, value, errstr);
    }
    return 0;
}

/// Sets a list of name/value pairs (NULL-terminated). Returns 0 on success.
static int conf_set_all(rd_kafka_conf_t *conf, const char *const *pairs, kb_result *out) {
    for (size_t i = 0; pairs[i] != NULL; i += 2) {
        if (conf_set(conf, pairs[i], pairs[i + 1], out) != 0) return -1;
    }
    return 0;
}

/// Creates a client from `conf` (which it always consumes). NULL on failure, with `out` set.
static rd_kafka_t *client_new(rd_kafka_type_t type, rd_kafka_conf_t *conf, kb_result *out) {
    char errstr[512];
    rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof errstr);
    if (rk == NULL) {
        rd_kafka_conf_destroy(conf); // not taken over on failure
        fail(out, "rd_kafka_new(%s): %s", type == RD_KAFKA_PRODUCER ? "producer" : "consumer",
             errstr);
    }
    return rk;
}

/// The last error librdkafka reported for a client, quoted when a run fails. Written and read
/// only on the thread serving that client's callbacks.
typedef struct client_errors {
    char last[256];
} client_errors;

static void note_error(client_errors *e, rd_kafka_resp_err_t err, const char *reason) {
    snprintf(e->last, sizeof e->last, "%s: %s", rd_kafka_err2name(err), reason);
}

/// error_cb for consumers (opaque: client_errors). Such errors (transport, all brokers down…)
/// are retried by librdkafka; they only explain a later stall.
static void on_consumer_error(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
    (void)rk;
    note_error(opaque, (rd_kafka_resp_err_t)err, reason);
}

// MARK: - Producer

/// Per-producer state, reached from the delivery report callback via the conf opaque.
typedef struct producer_ctx {
    client_errors errors;   ///< From error_cb.
    uint64_t expected;      ///< Messages that will have been produced when done (for the end time).
    uint64_t delivered;     ///< Successful delivery reports.
    uint64_t failed;        ///< Failed delivery reports.
    uint64_t last_dr_ns;    ///< Time of the delivery report that completed `expected`.
    rd_kafka_resp_err_t first_err;
    char first_err_text[256];
} producer_ctx;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    producer_ctx *ctx = opaque;
    if (m->err) {
        if (ctx->failed++ == 0) {
            ctx->first_err = m->err;
            snprintf(ctx->first_err_text, sizeof ctx->first_err_text, "%s",
                     rd_kafka_err2str(m->err));
        }
    } else {
        ctx->delivered++;
    }
    if (ctx->delivered + ctx->failed == ctx->expected) ctx->last_dr_ns = now_ns();
}

static void on_producer_error(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
    (void)rk;
    producer_ctx *ctx = opaque;
    note_error(&ctx->errors, (rd_kafka_resp_err_t)err, reason);
}

static rd_kafka_t *producer_new(const char *bootstrap, int linger_ms, producer_ctx *ctx,
                                kb_result *out) {
    char linger[32];
    snprintf(linger, sizeof linger, "%d", linger_ms);
    const char *const pairs[] = {
        "bootstrap.servers", bootstrap,
        "enable.idempotence", "true",
        "acks", "all",
        "linger.ms", linger,
        "queue.buffering.max.messages", "1000000",
        NULL,
    };
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (conf_set_all(conf, pairs, out) != 0) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_error_cb(conf, on_producer_error);
    rd_kafka_conf_set_opaque(conf, ctx);
    return client_new(RD_KAFKA_PRODUCER, conf, out);
}

/// Produces one message, waiting out a full local queue. Returns RD_KAFKA_RESP_ERR_NO_ERROR or
/// the (non-queue-full) error of rd_kafka_producev.
static rd_kafka_resp_err_t produce_one(rd_kafka_t *rk, const char *topic, const char *key,
                                       const void *value, size_t value_size) {
    for (;;) {
        rd_kafka_resp_err_t err = rd_kafka_producev(
            rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, KB_KEY_LEN),
            RD_KAFKA_V_VALUE((void *)value, value_size), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_END);
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) return err;
        rd_kafka_poll(rk, 1); // serve delivery reports to make room
    }
}

/// Waits for every outstanding message, failing if no delivery report arrives for 30 s.
/// Returns 0 when the queue is empty.
static int producer_drain(rd_kafka_t *rk, producer_ctx *ctx, kb_result *out) {
    uint64_t seen = ctx->delivered + ctx->failed;
    uint64_t last_progress = now_ns();
    while (rd_kafka_flush(rk, 1000) == RD_KAFKA_RESP_ERR__TIMED_OUT) {
        uint64_t done = ctx->delivered + ctx->failed;
        if (done != seen) {
            seen = done;
            last_progress = now_ns();
        } else if (now_ns() - last_progress > KB_STALL_NS) {
            return fail(out, "flush: no delivery report for 30 s (%d messages outstanding; "
                        "last error: %s)", rd_kafka_outq_len(rk), ctx->errors.last);
        }
    }
    return 0;
}

/// Error-path teardown of a producer: drop what is still queued, serve the callbacks, destroy.
static void producer_abandon(rd_kafka_t *rk) {
    rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(rk, 5000);
    rd_kafka_destroy(rk);
}

/// Turns a fatal producer error or a failed delivery into `out`'s error. Returns 0 if none.
static int producer_check(rd_kafka_t *rk, const producer_ctx *ctx, kb_result *out) {
    char errstr[256];
    if (rd_kafka_fatal_error(rk, errstr, sizeof errstr) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return fail(out, "producer fatal error: %s", errstr);
    }
    if (ctx->failed != 0) {
        return fail(out, "%" PRIu64 " of %" PRIu64 " deliveries failed; first: %s (%s)",
                    ctx->failed, ctx->expected, ctx->first_err_text,
                    rd_kafka_err2name(ctx->first_err));
    }
    return 0;
}

int kb_produce(const char *bootstrap_servers, const char *topic, uint64_t count,
               size_t value_size, int linger_ms, kb_result *out) {
    result_reset(out);
    if (count == 0) return 0;

    unsigned char *value = malloc(value_size ? value_size : 1);
    if (value == NULL) return fail(out, "out of memory (%zu-byte value)", value_size);
    for (size_t i = 0; i < value_size; i++) value[i] = (unsigned char)('a' + i % 26);

    producer_ctx ctx = {.errors = {"none"}, .expected = count};
    rd_kafka_t *rk = producer_new(bootstrap_servers, linger_ms, &ctx, out);
    if (rk == NULL) {
        free(value);
        return -1;
    }

    char key[KB_KEY_LEN + 1];
    uint64_t start = now_ns();
    uint64_t produced = 0;
    for (; produced < count; produced++) {
        snprintf(key, sizeof key, "%016" PRIu64, produced % UINT64_C(10000000000000000));
        rd_kafka_resp_err_t err = produce_one(rk, topic, key, value, value_size);
        if (err) {
            fail(out, "produce #%" PRIu64 ": %s", produced, rd_kafka_err2str(err));
            break;
        }
        if (produced % KB_POLL_EVERY == 0) rd_kafka_poll(rk, 0);
    }

    if (out->error) {
        producer_abandon(rk);
        free(value);
        return -1;
    }
    int rc = producer_drain(rk, &ctx, out);
    if (rc == 0) rc = producer_check(rk, &ctx, out);
    if (rc == 0) {
        uint64_t end = ctx.last_dr_ns ? ctx.last_dr_ns : now_ns();
        out->seconds = (double)(end - start) / 1e9;
        out->messages = ctx.delivered;
        out->bytes = ctx.delivered * (uint64_t)value_size;
        rd_kafka_destroy(rk);
    } else {
        producer_abandon(rk);
    }
    free(value);
    return rc;
}

// MARK: - Consumer

static rd_kafka_t *consumer_new(const char *bootstrap, const char *group_id,
                                const char *const *extra, client_errors *errors,
                                kb_result *out) {
    const char *const pairs[] = {
        "bootstrap.servers", bootstrap,
        "group.id", group_id,
        "auto.offset.reset", "earliest",
        "enable.auto.commit", "false",
        "session.timeout.ms", "6000", // the mock cluster's rebalances take session.timeout - 1 s
        NULL,
    };
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (conf_set_all(conf, pairs, out) != 0 || conf_set_all(conf, extra, out) != 0) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_conf_set_error_cb(conf, on_consumer_error);
    rd_kafka_conf_set_opaque(conf, errors);
    rd_kafka_t *rk = client_new(RD_KAFKA_CONSUMER, conf, out);
    if (rk == NULL) return NULL;
    rd_kafka_poll_set_consumer(rk);
    return rk;
}

static int consumer_subscribe(rd_kafka_t *rk, const char *topic, kb_result *out) {
    rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(subs, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, subs);
    rd_kafka_topic_partition_list_destroy(subs);
    if (err) return fail(out, "subscribe %s: %s", topic, rd_kafka_err2str(err));
    return 0;
}

static void consumer_finish(rd_kafka_t *rk) {
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
}

/// Handles a consumer error event: fatal errors fail the run, others are remembered for the
/// stall message (librdkafka retries them). Returns -1 on a fatal error.
static int consumer_error(rd_kafka_t *rk, const rd_kafka_message_t *m, client_errors *errors,
                          kb_result *out) {
    char errstr[256];
    if (rd_kafka_fatal_error(rk, errstr, sizeof errstr) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return fail(out, "consumer fatal error: %s", errstr);
    }
    note_error(errors, m->err, rd_kafka_message_errstr(m));
    return 0;
}

int kb_consume(const char *bootstrap_servers, const char *topic, const char *group_id,
               uint64_t count, kb_result *out) {
    result_reset(out);
    if (count == 0) return 0;

    const char *const extra[] = {
        "fetch.wait.max.ms", "10",           // the mock holds empty fetches for the full wait
        "queued.min.messages", "1000000",    // 2.0.2 stalls prefetch ~1 s past these limits
        "queued.max.messages.kbytes", "1048576",
        NULL,
    };
    client_errors errors = {"none"};
    rd_kafka_t *rk = consumer_new(bootstrap_servers, group_id, extra, &errors, out);
    if (rk == NULL) return -1;
    if (consumer_subscribe(rk, topic, out) != 0) {
        consumer_finish(rk);
        return -1;
    }

    // The clock is read at the first message, after the last, and while idle: a read per
    // message would cost the baseline more than the work it measures.
    uint64_t received = 0, bytes = 0, checksum = 0, start = 0, idle_since = 0;
    while (received < count) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (m == NULL) {
            uint64_t now = now_ns();
            if (idle_since == 0) {
                idle_since = now;
            } else if (now - idle_since > KB_STALL_NS) {
                fail(out, "consume: no message for 30 s (%" PRIu64 " of %" PRIu64
                          " received; last consumer error: %s)",
                     received, count, errors.last);
                break;
            }
            continue;
        }
        idle_since = 0;
        if (m->err) {
            int rc = consumer_error(rk, m, &errors, out);
            rd_kafka_message_destroy(m);
            if (rc != 0) break;
            continue;
        }
        checksum += byte_sum(m->payload, m->len);
        bytes += m->len;
        rd_kafka_message_destroy(m);
        if (received++ == 0) start = now_ns();
    }
    uint64_t end = now_ns();

    consumer_finish(rk);
    if (out->error) return -1;
    out->seconds = (double)(end - start) / 1e9;
    out->messages = received;
    out->bytes = bytes;
    out->checksum = checksum;
    return 0;
}

// MARK: - Latency

/// The paced producer thread's state. Written by that thread only, read after the join (except
/// the two flags).
typedef struct latency_producer {
    rd_kafka_t *rk;
    const char *topic;
    uint32_t count;
    uint32_t rate_per_second;
    size_t value_size;
    atomic_int stop;   ///< Set by the consumer side to end the run early.
    atomic_int failed; ///< Set by the thread when `result` holds an error.
    producer_ctx dr;
    kb_result result; ///< The thread's own error, if any.
} latency_producer;

static void *latency_produce_thread(void *arg) {
    latency_producer *lp = arg;
    unsigned char *value = calloc(1, lp->value_size);
    if (value == NULL) {
        fail(&lp->result, "out of memory (%zu-byte value)", lp->value_size);
        atomic_store(&lp->failed, 1);
        return NULL;
    }
    for (size_t i = 8; i < lp->value_size; i++) value[i] = (unsigned char)('a' + i % 26);

    char key[KB_KEY_LEN + 1];
    const uint64_t interval_ns = 1000000000ull / lp->rate_per_second;
    const uint64_t first = now_ns();
    uint32_t sent = 0;
    for (; sent < lp->count && !atomic_load_explicit(&lp->stop, memory_order_relaxed); sent++) {
        sleep_until_ns(first + (uint64_t)sent * interval_ns);
        snprintf(key, sizeof key, "%016" PRIu32, sent);
        uint64_t t = now_ns();
        memcpy(value, &t, sizeof t);
        rd_kafka_resp_err_t err = produce_one(lp->rk, lp->topic, key, value, lp->value_size);
        if (err) {
            fail(&lp->result, "produce #%" PRIu32 ": %s", sent, rd_kafka_err2str(err));
            break;
        }
        rd_kafka_poll(lp->rk, 0); // delivery reports
    }
    lp->dr.expected = sent;
    if (!lp->result.error && !atomic_load(&lp->stop)) {
        if (producer_drain(lp->rk, &lp->dr, &lp->result) == 0) {
            producer_check(lp->rk, &lp->dr, &lp->result);
        }
    }
    if (lp->result.error) atomic_store(&lp->failed, 1);
    free(value);
    return NULL;
}

/// Serves the consumer until the group has assigned it at least one partition, and returns that
/// assignment in `*assigned` (the caller destroys it). Returns 0 on success.
static int wait_for_assignment(rd_kafka_t *consumer, rd_kafka_t *producer,
                               rd_kafka_topic_partition_list_t **assigned,
                               client_errors *errors, kb_result *out) {
    uint64_t start = now_ns();
    for (;;) {
        rd_kafka_topic_partition_list_t *parts = NULL;
        rd_kafka_resp_err_t err = rd_kafka_assignment(consumer, &parts);
        if (err) return fail(out, "rd_kafka_assignment: %s", rd_kafka_err2str(err));
        if (parts->cnt > 0) {
            *assigned = parts;
            return 0;
        }
        rd_kafka_topic_partition_list_destroy(parts);
        if (now_ns() - start > KB_STALL_NS) {
            return fail(out, "latency: no partition assigned within 30 s (last consumer error: %s)",
                        errors->last);
        }
        // Nothing has been produced yet: a message here is an error event or older data.
        rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 100);
        if (m != NULL) {
            int rc = m->err ? consumer_error(consumer, m, errors, out) : 0;
            rd_kafka_message_destroy(m);
            if (rc != 0) return -1;
        }
        rd_kafka_poll(producer, 0);
    }
}

/// An assigned partition is not yet being fetched: librdkafka still fetches its committed offset,
/// resets it and starts the fetcher (~100 ms on the mock cluster, which would otherwise show up
/// as the first ~100 messages' latency). So one warm-up message, carrying `token` instead of a
/// send time, goes to every assigned partition, and the consumer is served until it has read all
/// of them; this also connects the producer to every leader. Returns 0 on success.
static int warm_up_path(rd_kafka_t *consumer, rd_kafka_t *producer,
                        const rd_kafka_topic_partition_list_t *assigned, size_t value_size,
                        uint64_t token, client_errors *errors, kb_result *out) {
    const int n = assigned->cnt;
    unsigned char *value = calloc(1, value_size);
    unsigned char *seen = calloc((size_t)n, 1);
    if (value == NULL || seen == NULL) {
        free(value);
        free(seen);
        return fail(out, "out of memory (warm-up)");
    }
    memcpy(value, &token, sizeof token);

    char key[KB_KEY_LEN + 1];
    for (int i = 0; i < n && !out->error; i++) {
        const rd_kafka_topic_partition_t *tp = &assigned->elems[i];
        snprintf(key, sizeof key, "warmup%010d", i % 1000000000);
        rd_kafka_resp_err_t err = rd_kafka_producev(
            producer, RD_KAFKA_V_TOPIC(tp->topic), RD_KAFKA_V_PARTITION(tp->partition),
            RD_KAFKA_V_KEY(key, KB_KEY_LEN), RD_KAFKA_V_VALUE(value, value_size),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (err) fail(out, "warm-up produce: %s", rd_kafka_err2str(err));
    }

    int received = 0;
    uint64_t start = now_ns();
    while (!out->error && received < n) {
        if (now_ns() - start > KB_STALL_NS) {
            fail(out, "latency warm-up: %d of %d partitions read within 30 s (last consumer "
                      "error: %s)", received, n, errors->last);
            break;
        }
        rd_kafka_poll(producer, 0);
        rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 10);
        if (m == NULL) continue;
        if (m->err) {
            consumer_error(consumer, m, errors, out);
        } else if (m->len >= sizeof token && memcmp(m->payload, &token, sizeof token) == 0) {
            for (int i = 0; i < n; i++) {
                if (assigned->elems[i].partition == m->partition && !seen[i]) {
                    seen[i] = 1;
                    received++;
                }
            }
        }
        rd_kafka_message_destroy(m);
    }
    free(value);
    free(seen);
    return out->error ? -1 : 0;
}

/// Asks for `topic`'s metadata through the producer, so that the topic exists (the producer may
/// auto-create it; a consumer does not) and its leaders are known before the clock starts.
static int producer_warm_up(rd_kafka_t *rk, const char *topic, kb_result *out) {
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    if (rkt == NULL) {
        return fail(out, "rd_kafka_topic_new %s: %s", topic,
                    rd_kafka_err2str(rd_kafka_last_error()));
    }
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (md->topic_cnt == 1 && md->topics[0].err) err = md->topics[0].err;
        rd_kafka_metadata_destroy(md);
    }
    rd_kafka_topic_destroy(rkt);
    if (err) return fail(out, "metadata for %s: %s", topic, rd_kafka_err2str(err));
    return 0;
}

int kb_latency(const char *bootstrap_servers, const char *topic, const char *group_id,
               uint32_t count, uint32_t rate_per_second, size_t value_size, int fetch_wait_ms,
               double *latencies_ms, kb_result *out) {
    result_reset(out);
    if (count == 0) return 0;
    if (value_size < sizeof(uint64_t)) {
        return fail(out, "value_size %zu is too small for the 8-byte send time", value_size);
    }
    if (rate_per_second == 0) return fail(out, "rate_per_second must be positive");

    latency_producer lp = {
        .topic = topic, .count = count, .rate_per_second = rate_per_second,
        .value_size = value_size, .dr = {.errors = {"none"}},
    };
    atomic_init(&lp.stop, 0);
    atomic_init(&lp.failed, 0);
    lp.rk = producer_new(bootstrap_servers, 0, &lp.dr, out);
    if (lp.rk == NULL) return -1;
    if (producer_warm_up(lp.rk, topic, out) != 0) {
        producer_abandon(lp.rk);
        return -1;
    }

    char fetch_wait[32];
    snprintf(fetch_wait, sizeof fetch_wait, "%d", fetch_wait_ms);
    const char *const extra[] = {"fetch.wait.max.ms", fetch_wait, NULL};
    client_errors errors = {"none"};
    rd_kafka_t *consumer = consumer_new(bootstrap_servers, group_id, extra, &errors, out);
    if (consumer == NULL) {
        producer_abandon(lp.rk);
        return -1;
    }
    // Messages sent before this run (a reused topic read from the earliest offset, or the
    // warm-up messages, whose token is this time) carry older send times and are skipped.
    const uint64_t run_start = now_ns();
    rd_kafka_topic_partition_list_t *assigned = NULL;
    int rc = consumer_subscribe(consumer, topic, out);
    if (rc == 0) rc = wait_for_assignment(consumer, lp.rk, &assigned, &errors, out);
    if (rc == 0) {
        rc = warm_up_path(consumer, lp.rk, assigned, value_size, run_start, &errors, out);
    }
    if (assigned != NULL) rd_kafka_topic_partition_list_destroy(assigned);
    if (rc != 0) {
        consumer_finish(consumer);
        producer_abandon(lp.rk);
        return -1;
    }
    pthread_t thread;
    int prc = pthread_create(&thread, NULL, latency_produce_thread, &lp);
    if (prc != 0) {
        fail(out, "pthread_create: %s", strerror(prc));
        consumer_finish(consumer);
        producer_abandon(lp.rk);
        return -1;
    }

    uint32_t received = 0;
    uint64_t bytes = 0, checksum = 0, start = 0, end = 0, skipped = 0;
    uint64_t last_progress = now_ns();
    while (received < count) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 100);
        uint64_t now = now_ns();
        if (m == NULL) {
            if (atomic_load(&lp.failed)) break; // its error is reported after the join
            if (now - last_progress > KB_STALL_NS) {
                fail(out, "latency: no message for 30 s (%" PRIu32 " of %" PRIu32
                          " received, %" PRIu64 " stale skipped; last consumer error: %s)",
                     received, count, skipped, errors.last);
                break;
            }
            continue;
        }
        if (m->err) {
            int fatal = consumer_error(consumer, m, &errors, out);
            rd_kafka_message_destroy(m);
            if (fatal) break;
            continue;
        }
        uint64_t sent_ns = 0;
        if (m->len >= sizeof sent_ns) memcpy(&sent_ns, m->payload, sizeof sent_ns);
        if (sent_ns <= run_start || sent_ns > now) {
            skipped++;
            rd_kafka_message_destroy(m);
            continue;
        }
        checksum += byte_sum(m->payload, m->len);
        bytes += m->len;
        rd_kafka_message_destroy(m);
        latencies_ms[received] = (double)(now - sent_ns) / 1e6;
        if (received++ == 0) start = now;
        end = now;
        last_progress = now;
    }

    if (out->error) atomic_store(&lp.stop, 1);
    pthread_join(thread, NULL);
    if (!out->error && lp.result.error) fail(out, "latency producer: %s", lp.result.error_text);

    consumer_finish(consumer);
    if (out->error) {
        producer_abandon(lp.rk);
        return -1;
    }
    rd_kafka_destroy(lp.rk);
    out->seconds = (double)(end - start) / 1e9;
    out->messages = received;
    out->bytes = bytes;
    out->checksum = checksum;
    return 0;
}
