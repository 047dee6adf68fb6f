// The raw-librdkafka baseline for `reentrybus bench kafka`.
//
// Each function runs one benchmark workload with librdkafka's C API only, against the broker at
// `bootstrap_servers`, so that the Swift client's figures can be compared with the C library's on
// the same broker in the same run. Nothing here is used outside the benchmark.
#ifndef REENTRYBUS_KAFKA_BASELINE_H
#define REENTRYBUS_KAFKA_BASELINE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The outcome of one throughput run.
typedef struct kb_result {
    /// Wall-clock seconds of the measured span (see each function).
    double seconds;
    /// Messages counted in the measured span.
    uint64_t messages;
    /// Payload (value) bytes counted in the measured span.
    uint64_t bytes;
    /// A sum over every payload byte read, so the consumer provably touched each payload.
    uint64_t checksum;
    /// 0 on success; otherwise `error_text` says what failed.
    int error;
    char error_text[512];
} kb_result;

/// Produces `count` messages of `value_size` bytes (16-byte keys: the message index in decimal,
/// which librdkafka's default partitioner hashes over all partitions) to `topic`, idempotent with
/// acks=all and linger.ms=`linger_ms`, and waits for every delivery report. Measured span: first
/// produce call to last delivery report.
int kb_produce(const char *bootstrap_servers, const char *topic, uint64_t count,
               size_t value_size, int linger_ms, kb_result *out);

/// Consumes `count` messages from `topic` (all partitions, from the beginning) in consumer group
/// `group_id`, touching every payload byte. Measured span: first message received to the
/// `count`-th (the group join is excluded). Prefetch is raised as in the Swift consumer's
/// benchmark configuration (queued.min.messages, queued.max.messages.kbytes).
int kb_consume(const char *bootstrap_servers, const char *topic, const char *group_id,
               uint64_t count, kb_result *out);

/// End-to-end latency: one producer (idempotent, acks=all, linger.ms=0) sends `count` messages
/// of `value_size` bytes at `rate_per_second` to `topic` while a consumer in `group_id`
/// (fetch.wait.max.ms=`fetch_wait_ms`) reads them; each message carries its send time
/// (CLOCK_MONOTONIC) and the receive time minus it is written, in milliseconds, to
/// `latencies_ms[i]` for the i-th message received (`latencies_ms` holds `count` doubles;
/// `value_size` is at least 8). Before the first measured send the consumer joins, is assigned
/// its partitions, and has read one warm-up message sent to each of them (an assigned partition
/// is only fetched ~100 ms later, which would otherwise inflate the first messages' latency);
/// messages from before the run (a reused topic is read from the earliest offset) are skipped.
/// `out` gets the messages and bytes received and the span from the first to the last one.
/// Returns 0 on success.
int kb_latency(const char *bootstrap_servers, const char *topic, const char *group_id,
               uint32_t count, uint32_t rate_per_second, size_t value_size, int fetch_wait_ms,
               double *latencies_ms, kb_result *out);

#ifdef __cplusplus
}
#endif

#endif
