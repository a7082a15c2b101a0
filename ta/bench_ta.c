/*
 * The teebench benchmark TA, written once against the GlobalPlatform TEE Internal Core API.
 * It runs inside the emulated OP-TEE and builds for a real OP-TEE with the TA dev kit (Makefile,
 * sub.mk, user_ta_header_defines.h). Commands are in bench_ta.h.
 */
#include <arm_user_sysreg.h>
#include <bench_ta.h>
#include <tee_internal_api.h>
#include <tee_internal_api_extensions.h>

#include "../plugin/bench_plugin.h"

TEE_Result TA_CreateEntryPoint(void) { return TEE_SUCCESS; }

void TA_DestroyEntryPoint(void) {}

TEE_Result TA_OpenSessionEntryPoint(uint32_t param_types, TEE_Param params[4], void** sess_ctx) {
  (void)params;
  if (param_types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE,
                                     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE))
    return TEE_ERROR_BAD_PARAMETERS;
  *sess_ctx = NULL;
  return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void* sess_ctx) { (void)sess_ctx; }

static TEE_Result cmd_value(uint32_t pt, TEE_Param p[4]) {
  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INOUT, TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE,
                            TEE_PARAM_TYPE_NONE))
    return TEE_ERROR_BAD_PARAMETERS;
  p[0].value.a += 1;
  p[0].value.b = ~p[0].value.b;
  return TEE_SUCCESS;
}

static TEE_Result cmd_memref_read(uint32_t pt, TEE_Param p[4]) {
  const uint8_t* buf;
  uint32_t sum = 0;
  size_t i;

  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_VALUE_OUTPUT,
                            TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE))
    return TEE_ERROR_BAD_PARAMETERS;
  buf = p[0].memref.buffer;
  for (i = 0; i < p[0].memref.size; i++) sum += buf[i];
  p[1].value.a = sum;
  p[1].value.b = (uint32_t)p[0].memref.size;
  return TEE_SUCCESS;
}

static TEE_Result cmd_memref_write(uint32_t pt, TEE_Param p[4]) {
  uint8_t* buf;
  size_t i;

  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_OUTPUT, TEE_PARAM_TYPE_VALUE_INPUT,
                            TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE))
    return TEE_ERROR_BAD_PARAMETERS;
  buf = p[0].memref.buffer;
  for (i = 0; i < p[0].memref.size; i++) buf[i] = (uint8_t)(p[1].value.a + i);
  return TEE_SUCCESS;
}

/* Busy in the secure world: spins on the generic timer, as a compute-bound TA would. */
static TEE_Result cmd_hold(uint32_t pt, TEE_Param p[4]) {
  uint64_t freq;
  uint64_t end;

  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE,
                            TEE_PARAM_TYPE_NONE))
    return TEE_ERROR_BAD_PARAMETERS;
  freq = read_cntfrq();
  end = read_cntpct() + (uint64_t)p[0].value.a * freq / 1000000u;
  while (read_cntpct() < end) {
  }
  return TEE_SUCCESS;
}

static TEE_Result cmd_wait(uint32_t pt, TEE_Param p[4]) {
  uint32_t held = TEE_PARAM_TYPE_GET(pt, 1);

  /* Slot 1 may carry any memref: the call then keeps that memory in use while it waits. */
  if (TEE_PARAM_TYPE_GET(pt, 0) != TEE_PARAM_TYPE_VALUE_INPUT ||
      (held != TEE_PARAM_TYPE_NONE && held != TEE_PARAM_TYPE_MEMREF_INPUT &&
       held != TEE_PARAM_TYPE_MEMREF_OUTPUT && held != TEE_PARAM_TYPE_MEMREF_INOUT) ||
      TEE_PARAM_TYPE_GET(pt, 2) != TEE_PARAM_TYPE_NONE ||
      TEE_PARAM_TYPE_GET(pt, 3) != TEE_PARAM_TYPE_NONE)
    return TEE_ERROR_BAD_PARAMETERS;
  return TEE_Wait(p[0].value.a);
}

/* The upstream way for a TA to reach the normal world: a tee-supplicant plugin. The plugin XORs
 * the payload; the TA checks every byte that comes back. */
static TEE_Result cmd_plugin(uint32_t pt, TEE_Param p[4]) {
  static const TEE_UUID plugin = BENCH_PLUGIN_UUID;
  uint32_t len;
  uint32_t calls;
  uint32_t good = 0;
  uint32_t n;
  uint32_t i;
  uint8_t *buf = NULL;
  TEE_Result res = TEE_SUCCESS;

  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_OUTPUT,
                            TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE))
    return TEE_ERROR_BAD_PARAMETERS;
  len = p[0].value.a;
  calls = p[0].value.b;
  if (len > TA_BENCH_PLUGIN_MAX_BYTES || calls < 1 || calls > TA_BENCH_MAX_CALLS)
    return TEE_ERROR_BAD_PARAMETERS;
  if (len) {
    buf = TEE_Malloc(len, TEE_MALLOC_FILL_ZERO);
    if (!buf) return TEE_ERROR_OUT_OF_MEMORY;
  }
  for (n = 0; n < calls; n++) {
    size_t out = 0;
    uint8_t key = (uint8_t)(0x5a + n);
    int ok = 1;

    for (i = 0; i < len; i++) buf[i] = (uint8_t)i;
    res = tee_invoke_supp_plugin(&plugin, len ? BENCH_PLUGIN_CMD_XOR : BENCH_PLUGIN_CMD_NOP, key,
                                 buf, len, &out);
    if (res != TEE_SUCCESS) break;
    if (out != len) ok = 0;
    for (i = 0; i < len && ok; i++)
      if (buf[i] != (uint8_t)(i ^ key)) ok = 0;
    good += ok;
  }
  TEE_Free(buf);
  p[1].value.a = good;
  return res;
}

/* The proposed in-thread OCALL: the client serves the command while this call waits. Only an
 * OP-TEE with the OCALL series has TEE_InvokeCACommand (the emulator, or the ms-iot fork: build
 * with -DTEEBENCH_TA_OCALL); elsewhere the command is not supported. */
#ifndef TEEBENCH_TA_OCALL
static TEE_Result cmd_ocall(uint32_t pt, TEE_Param p[4]) {
  (void)pt;
  (void)p;
  return TEE_ERROR_NOT_SUPPORTED;
}
#else
static TEE_Result cmd_ocall(uint32_t pt, TEE_Param p[4]) {
  uint32_t held = TEE_PARAM_TYPE_GET(pt, 2);
  uint32_t len;
  uint32_t calls;
  uint32_t good = 0;
  uint32_t n;
  uint32_t i;
  uint8_t *buf = NULL;
  TEE_Result res = TEE_SUCCESS;

  if (TEE_PARAM_TYPE_GET(pt, 0) != TEE_PARAM_TYPE_VALUE_INPUT ||
      TEE_PARAM_TYPE_GET(pt, 1) != TEE_PARAM_TYPE_VALUE_OUTPUT ||
      (held != TEE_PARAM_TYPE_NONE && held != TEE_PARAM_TYPE_MEMREF_INPUT &&
       held != TEE_PARAM_TYPE_MEMREF_OUTPUT && held != TEE_PARAM_TYPE_MEMREF_INOUT) ||
      TEE_PARAM_TYPE_GET(pt, 3) != TEE_PARAM_TYPE_NONE)
    return TEE_ERROR_BAD_PARAMETERS;
  len = p[0].value.a;
  calls = p[0].value.b;
  if (len > TA_BENCH_PLUGIN_MAX_BYTES || calls < 1 || calls > TA_BENCH_MAX_CALLS)
    return TEE_ERROR_BAD_PARAMETERS;
  if (len) {
    buf = TEE_Malloc(len, TEE_MALLOC_FILL_ZERO);
    if (!buf) return TEE_ERROR_OUT_OF_MEMORY;
  }
  for (n = 0; n < calls; n++) {
    TEE_Param op[4];
    uint32_t origin = 0;
    uint8_t key = (uint8_t)(0x21 + n);
    int ok = 1;

    TEE_MemFill(op, 0, sizeof(op));
    if (len) {
      for (i = 0; i < len; i++) buf[i] = (uint8_t)i;
      op[0].memref.buffer = buf;
      op[0].memref.size = len;
      op[1].value.a = key;
      res = TEE_InvokeCACommand(0, TA_BENCH_OCALL_XOR,
                                TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INOUT,
                                                TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE,
                                                TEE_PARAM_TYPE_NONE),
                                op, &origin);
      for (i = 0; i < len && res == TEE_SUCCESS && ok; i++)
        if (buf[i] != (uint8_t)(i ^ key)) ok = 0;
    } else {
      op[0].value.a = n;
      res = TEE_InvokeCACommand(0, TA_BENCH_OCALL_INC,
                                TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INOUT, TEE_PARAM_TYPE_NONE,
                                                TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE),
                                op, &origin);
      ok = op[0].value.a == n + 1;
    }
    if (res != TEE_SUCCESS) break;
    good += ok;
  }
  TEE_Free(buf);
  p[1].value.a = good;
  return res;
}
#endif

TEE_Result TA_InvokeCommandEntryPoint(void* sess_ctx, uint32_t cmd, uint32_t pt,
                                      TEE_Param params[4]) {
  (void)sess_ctx;
  switch (cmd) {
    case TA_BENCH_CMD_NOP:
      return TEE_SUCCESS;
    case TA_BENCH_CMD_VALUE:
      return cmd_value(pt, params);
    case TA_BENCH_CMD_MEMREF_READ:
      return cmd_memref_read(pt, params);
    case TA_BENCH_CMD_MEMREF_WRITE:
      return cmd_memref_write(pt, params);
    case TA_BENCH_CMD_HOLD:
      return cmd_hold(pt, params);
    case TA_BENCH_CMD_WAIT:
      return cmd_wait(pt, params);
    case TA_BENCH_CMD_PLUGIN:
      return cmd_plugin(pt, params);
    case TA_BENCH_CMD_OCALL:
      return cmd_ocall(pt, params);
    default:
      return TEE_ERROR_NOT_SUPPORTED;
  }
}
