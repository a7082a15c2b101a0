/*
 * The benchmark's tee-supplicant plugin: what the TA's PLUGIN command calls through
 * tee_invoke_supp_plugin(), and what the client side of an OCALL round trip costs upstream.
 */
#ifndef TEEBENCH_BENCH_PLUGIN_H
#define TEEBENCH_BENCH_PLUGIN_H

/* 5a1c0e3e-7eeb-4b8f-9d1a-62656e636870 */
#define BENCH_PLUGIN_UUID                                                          \
  {                                                                                \
    0x5a1c0e3e, 0x7eeb, 0x4b8f, { 0x9d, 0x1a, 0x62, 0x65, 0x6e, 0x63, 0x68, 0x70 } \
  }

/* Returns at once with no output. */
#define BENCH_PLUGIN_CMD_NOP 0
/* XORs every byte of the buffer with sub_cmd & 0xff and returns all of it. */
#define BENCH_PLUGIN_CMD_XOR 1

#endif
