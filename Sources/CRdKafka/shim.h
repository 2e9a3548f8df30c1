#ifndef AGENTMESH_CRDKAFKA_SHIM_H
#define AGENTMESH_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/*
 * rd_kafka_producev() is variadic and its RD_KAFKA_V_* arguments are macros, neither of
 * which Swift can call. This one inline function is the whole bridge: Swift passes plain
 * values, the header list (ownership moves to librdkafka on success) and the delivery
 * opaque. The payload and key are copied (RD_KAFKA_MSG_F_COPY) so Swift buffers need only
 * live for the duration of the call.
 */
static inline rd_kafka_resp_err_t agentmesh_produce(rd_kafka_t *rk, rd_kafka_topic_t *rkt,
                                                    int32_t partition,
                                                    const void *key, size_t key_len,
                                                    const void *value, size_t value_len,
                                                    rd_kafka_headers_t *headers,
                                                    int64_t timestamp_ms,
                                                    void *opaque) {
    return rd_kafka_producev(rk,
                             RD_KAFKA_V_RKT(rkt),
                             RD_KAFKA_V_PARTITION(partition),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_KEY(key, key_len),
                             RD_KAFKA_V_VALUE((void *)value, value_len),
                             RD_KAFKA_V_HEADERS(headers),
                             RD_KAFKA_V_TIMESTAMP(timestamp_ms),
                             RD_KAFKA_V_OPAQUE(opaque),
                             RD_KAFKA_V_END);
}

#endif
