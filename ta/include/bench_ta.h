/*
 * The benchmark TA's interface, shared by the TA and its clients: UUID and command ids.
 * Every command documents its parameters as param_types.
 */
#ifndef TEEBENCH_BENCH_TA_H
#define TEEBENCH_BENCH_TA_H

/* 7eeb3c4a-5a3f-4d1c-9c3e-6a1b2c3d4e5f: multi-instance, multi-session (one instance per session).
 */
#define TA_BENCH_UUID                                                              \
  {                                                                                \
    0x7eeb3c4a, 0x5a3f, 0x4d1c, { 0x9c, 0x3e, 0x6a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f } \
  }
/* The TA kinds: the same code built (dev kit) or registered (emulator) with other GP instance
 * flags, each under its own UUID, so what the flags change can be measured (docs/ta.md).
 * TEEBENCH_TA_KIND selects one in user_ta_header_defines.h. */
#define TA_BENCH_KIND_MULTI_INSTANCE 0  /* TA_BENCH_UUID: one instance per session */
#define TA_BENCH_KIND_SINGLE_INSTANCE 1 /* SINGLE_INSTANCE: one instance, one session at a time */
#define TA_BENCH_KIND_MULTI_SESSION 2   /* SINGLE_INSTANCE|MULTI_SESSION: entries serialised */
#define TA_BENCH_KIND_KEEP_ALIVE 3      /* ... |INSTANCE_KEEP_ALIVE: outlives its last session */
#define TA_BENCH_KIND_CONCURRENT 4      /* SINGLE_INSTANCE|MULTI_SESSION|CONCURRENT */
#define TA_BENCH_MULTI_SESSION_UUID                                                \
  {                                                                                \
    0x7eeb3c4a, 0x5a3f, 0x4d1c, { 0x9c, 0x3e, 0x6a, 0x1b, 0x2c, 0x3d, 0x4e, 0x60 } \
  }
#define TA_BENCH_CONCURRENT_UUID                                                   \
  {                                                                                \
    0x7eeb3c4a, 0x5a3f, 0x4d1c, { 0x9c, 0x3e, 0x6a, 0x1b, 0x2c, 0x3d, 0x4e, 0x61 } \
  }
#define TA_BENCH_SINGLE_INSTANCE_UUID                                              \
  {                                                                                \
    0x7eeb3c4a, 0x5a3f, 0x4d1c, { 0x9c, 0x3e, 0x6a, 0x1b, 0x2c, 0x3d, 0x4e, 0x62 } \
  }
#define TA_BENCH_KEEP_ALIVE_UUID                                                   \
  {                                                                                \
    0x7eeb3c4a, 0x5a3f, 0x4d1c, { 0x9c, 0x3e, 0x6a, 0x1b, 0x2c, 0x3d, 0x4e, 0x63 } \
  }

/* NONE: returns at once. */
#define TA_BENCH_CMD_NOP 0
/* VALUE_INOUT: a += 1, b = ~b (echo with a visible change). */
#define TA_BENCH_CMD_VALUE 1
/* MEMREF_INPUT buf, VALUE_OUTPUT: reads every byte; value.a = sum of bytes mod 2^32, value.b =
 * bytes read. */
#define TA_BENCH_CMD_MEMREF_READ 2
/* MEMREF_OUTPUT buf, VALUE_INPUT a = pattern seed: writes byte i = (seed + i) & 0xff. */
#define TA_BENCH_CMD_MEMREF_WRITE 3
/* VALUE_INPUT a = microseconds: stays busy in the secure world (thread ACTIVE). */
#define TA_BENCH_CMD_HOLD 4
/* VALUE_INPUT a = milliseconds: TEE_Wait (thread SUSPENDED in an RPC). An optional memref in
 * param 1 is held (not touched) for the whole wait. */
#define TA_BENCH_CMD_WAIT 5

/* VALUE_INPUT a = payload bytes (0..65536), b = plugin calls (1..16); VALUE_OUTPUT a = calls whose
 * output was right. Calls the benchmark tee-supplicant plugin b times (the upstream TA -> client
 * path: RPC SHM_ALLOC, SUPP_PLUGIN, SHM_FREE each time). */
#define TA_BENCH_CMD_PLUGIN 6
/* VALUE_INPUT a = payload bytes (0..65536), b = OCALLs (1..16); VALUE_OUTPUT a = OCALLs whose
 * answer was right; an optional memref in param 2 is held (not touched) throughout. Makes OCALLs
 * to the client (the in-thread OCALL series): with a payload, command TA_BENCH_OCALL_XOR on a
 * shared buffer; without, TA_BENCH_OCALL_INC on a value. */
#define TA_BENCH_CMD_OCALL 7
#define TA_BENCH_OCALL_INC 0 /* VALUE_INOUT: a += 1 */
#define TA_BENCH_OCALL_XOR 1 /* MEMREF_INOUT buf, VALUE_INPUT a = key: buf[i] ^= key */
#define TA_BENCH_PLUGIN_MAX_BYTES 65536u
#define TA_BENCH_MAX_CALLS 16u

#endif
