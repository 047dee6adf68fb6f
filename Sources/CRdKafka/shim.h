// The C surface the Kafka module uses: librdkafka's client and mock-cluster headers, plus small
// inline helpers for the variadic calls Swift cannot make directly.
#ifndef REENTRYBUS_CRDKAFKA_SHIM_H
#define REENTRYBUS_CRDKAFKA_SHIM_H

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

/// Names the calling OS thread (Linux keeps 15 bytes), so that top -H, perf and debuggers
/// show which client a thread belongs to.
static inline void reentrybus_name_current_thread(const char *name) {
#ifdef __linux__
    prctl(PR_SET_NAME, name, 0, 0, 0);
#else
    (void)name;
#endif
}

/// Enqueues one message on a topic handle; librdkafka copies key, value and takes ownership of
/// `headers` (which may be NULL) on success. `opaque` comes back in the delivery report.
static inline rd_kafka_resp_err_t reentrybus_produce(rd_kafka_t *rk, rd_kafka_topic_t *rkt,
                                                     int32_t partition,
                                                     const void *key, size_t key_size,
                                                     const void *value, size_t value_size,
                                                     rd_kafka_headers_t *headers,
                                                     void *opaque) {
    return rd_kafka_producev(rk,
                             RD_KAFKA_V_RKT(rkt),
                             RD_KAFKA_V_PARTITION(partition),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_KEY(key, key_size),
                             RD_KAFKA_V_VALUE((void *)value, value_size),
                             RD_KAFKA_V_HEADERS(headers),
                             RD_KAFKA_V_OPAQUE(opaque),
                             RD_KAFKA_V_END);
}

/// Makes the next request of kind `api_key` that broker `broker_id` of a mock cluster receives
/// fail with `error` (the broker's error stack; `rd_kafka_mock_broker_error_stack_cnt` counts
/// what is left of it).
static inline rd_kafka_resp_err_t reentrybus_mock_broker_push_error(rd_kafka_mock_cluster_t *mcluster,
                                                                     int32_t broker_id,
                                                                     int16_t api_key,
                                                                     rd_kafka_resp_err_t error) {
    return rd_kafka_mock_broker_push_request_error_rtts(mcluster, broker_id, api_key, 1, error, 0);
}

#endif
