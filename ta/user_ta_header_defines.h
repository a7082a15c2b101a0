/* TA properties for the OP-TEE TA dev kit build (read by user_ta_header.c). TEEBENCH_TA_KIND
 * (ta/Makefile passes it in CPPFLAGS) picks the UUID and the instance flags of one TA kind
 * (bench_ta.h, docs/ta.md); the code is the same for all. */
#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#include <bench_ta.h>

#ifndef TEEBENCH_TA_KIND
#define TEEBENCH_TA_KIND TA_BENCH_KIND_MULTI_INSTANCE
#endif

#if TEEBENCH_TA_KIND == TA_BENCH_KIND_MULTI_INSTANCE
/* Multi-instance: every session gets its own instance, so sessions never serialise on it. */
#define TA_UUID TA_BENCH_UUID
#define TA_FLAGS TA_FLAG_MULTI_SESSION
#elif TEEBENCH_TA_KIND == TA_BENCH_KIND_SINGLE_INSTANCE
#define TA_UUID TA_BENCH_SINGLE_INSTANCE_UUID
#define TA_FLAGS TA_FLAG_SINGLE_INSTANCE
#elif TEEBENCH_TA_KIND == TA_BENCH_KIND_MULTI_SESSION
#define TA_UUID TA_BENCH_MULTI_SESSION_UUID
#define TA_FLAGS (TA_FLAG_SINGLE_INSTANCE | TA_FLAG_MULTI_SESSION)
#elif TEEBENCH_TA_KIND == TA_BENCH_KIND_KEEP_ALIVE
#define TA_UUID TA_BENCH_KEEP_ALIVE_UUID
#define TA_FLAGS (TA_FLAG_SINGLE_INSTANCE | TA_FLAG_MULTI_SESSION | TA_FLAG_INSTANCE_KEEP_ALIVE)
#elif TEEBENCH_TA_KIND == TA_BENCH_KIND_CONCURRENT
#define TA_UUID TA_BENCH_CONCURRENT_UUID
#define TA_FLAGS (TA_FLAG_SINGLE_INSTANCE | TA_FLAG_MULTI_SESSION | TA_FLAG_CONCURRENT)
#else
#error "TEEBENCH_TA_KIND: unknown TA kind (bench_ta.h lists them)"
#endif
#define TA_STACK_SIZE (4 * 1024)
#define TA_DATA_SIZE (32 * 1024)

#define TA_DESCRIPTION "teebench benchmark TA"
#define TA_VERSION "0.1"

#endif
