/*
 * The benchmark plugin, built as a tee-supplicant plugin .so for a board (Makefile) and linked
 * into the emulated supplicant (emu/supplicant). Kept trivial on purpose: what is measured is the
 * round trip, not the work.
 */
#include "bench_plugin.h"

#include "tee_plugin_method.h"

#define TEEC_SUCCESS_VALUE 0x00000000u
#define TEEC_ERROR_NOT_SUPPORTED_VALUE 0xFFFF000Au

static TEEC_Result bench_plugin_init(void) { return TEEC_SUCCESS_VALUE; }

static TEEC_Result bench_plugin_invoke(unsigned int cmd, unsigned int sub_cmd, void *data,
                                       size_t in_len, size_t *out_len) {
  unsigned char *b = data;
  size_t i;

  switch (cmd) {
    case BENCH_PLUGIN_CMD_NOP:
      *out_len = 0;
      return TEEC_SUCCESS_VALUE;
    case BENCH_PLUGIN_CMD_XOR:
      for (i = 0; i < in_len; i++) b[i] ^= (unsigned char)sub_cmd;
      *out_len = in_len;
      return TEEC_SUCCESS_VALUE;
    default:
      return TEEC_ERROR_NOT_SUPPORTED_VALUE;
  }
}

struct plugin_method plugin_method = {
    "teebench",
    BENCH_PLUGIN_UUID,
    bench_plugin_init,
    bench_plugin_invoke,
};
