/* TA properties for the OP-TEE TA dev kit build (read by user_ta_header.c). */
#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#include <bench_ta.h>

#define TA_UUID TA_BENCH_UUID
/* Multi-instance: every session gets its own instance, so sessions never serialise on it. */
#define TA_FLAGS TA_FLAG_MULTI_SESSION
#define TA_STACK_SIZE (4 * 1024)
#define TA_DATA_SIZE (32 * 1024)

#define TA_DESCRIPTION "teebench benchmark TA"
#define TA_VERSION "0.1"

#endif
