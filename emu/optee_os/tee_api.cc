// The GlobalPlatform TEE Internal Core API as the emulated OP-TEE provides it to TAs: the same
// services libutee gives a real TA, implemented on the emulator's secure thread (TEE_Wait suspends
// the thread in an RPC as OP-TEE's syscall_wait does).
#include <arm_user_sysreg.h>
#include <tee_internal_api.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "emu/abi/optee_msg.h"
#include "emu/optee_os/tee_ocall.h"
#include "emu/optee_os/tee_supp_plugin_rpc.h"
#include "emu/optee_os/tee_ta_manager.h"
#include "emu/optee_os/thread.h"
#include "emu/optee_os/thread_rpc.h"
#include "emu/platform/counter.h"

extern "C" {

uint64_t teebench_emu_read_cntpct(void) {
  emu::optee_os::thread_check_foreign_intr();
  return emu::platform::counter_ns();
}

void* TEE_Malloc(size_t size, uint32_t hint) {
  (void)hint;  // TEE_MALLOC_FILL_ZERO and TEE_MALLOC_NO_FILL both get zeroed memory here
  return calloc(1, size ? size : 1);
}

void TEE_Free(void* buffer) { free(buffer); }

void* TEE_MemMove(void* dest, const void* src, size_t size) { return memmove(dest, src, size); }

void TEE_MemFill(void* buffer, uint32_t x, size_t size) {
  memset(buffer, static_cast<int>(x & 0xff), size);
}

TEE_Result TEE_Wait(uint32_t timeout) {
  const uint32_t res = emu::optee_os::thread_rpc_suspend(timeout);
  return res == TEE_SUCCESS ? TEE_SUCCESS : TEE_ERROR_CANCEL;
}

void TEE_GetSystemTime(TEE_Time* time) {
  const uint64_t ns = emu::platform::counter_ns();
  time->seconds = static_cast<uint32_t>(ns / 1000000000u);
  time->millis = static_cast<uint32_t>(ns / 1000000u % 1000u);
}

void TEE_GetREETime(TEE_Time* time) {
  emu::abi::OpteeMsgParam p{};
  p.attr = emu::abi::OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT;
  emu::optee_os::thread_rpc_cmd(emu::abi::OPTEE_RPC_CMD_GET_TIME, {&p, 1});
  time->seconds = static_cast<uint32_t>(p.u.value.a);
  time->millis = static_cast<uint32_t>(p.u.value.b / 1000000u);
}

// libutee reaches this through the system PTA (PTA_SYSTEM_SUPP_PLUGIN_INVOKE); the emulated TA
// calls the core routine that PTA runs directly.
TEE_Result tee_invoke_supp_plugin(const TEE_UUID* uuid, uint32_t cmd, uint32_t sub_cmd, void* buf,
                                  size_t len, size_t* outlen) {
  if (!uuid) return TEE_ERROR_BAD_PARAMETERS;
  return emu::optee_os::tee_invoke_supp_plugin_rpc(*uuid, cmd, sub_cmd, buf, len, outlen);
}

// The OCALL series' TA API: a command to the client application that opened the session.
TEE_Result TEE_InvokeCACommand(uint32_t cancellationRequestTimeout, uint32_t commandID,
                               uint32_t paramTypes, TEE_Param params[4], uint32_t* returnOrigin) {
  (void)cancellationRequestTimeout;  // the emulated client is never asked to cancel
  uint32_t origin = TEE_ORIGIN_COMMS;
  auto* t = emu::optee_os::ThreadPool::current();
  const TEE_UUID ta = t && t->ta ? t->ta->uuid : TEE_UUID{};
  const TEE_Result r = emu::optee_os::tee_ocall_rpc(ta, commandID, paramTypes, params, &origin);
  if (returnOrigin) *returnOrigin = origin;
  return r;
}

// A TA panic kills the process in the emulator: the bench TA never panics, and unwinding a TA's C
// frames across the secure thread's stack is not something the emulator models.
void TEE_Panic(TEE_Result code) {
  std::fprintf(stderr, "teebench: TA panic 0x%08x\n", code);
  std::abort();
}

}  // extern "C"
