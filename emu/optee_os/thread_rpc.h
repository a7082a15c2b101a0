// RPCs from secure code to the normal world (optee_os thread_rpc_cmd and friends). Each one
// suspends the calling secure thread until the normal world answers with RETURN_FROM_RPC.
#pragma once

#include <cstdint>
#include <span>

#include "emu/abi/optee_msg.h"

namespace emu::optee_os {

// OPTEE_SMC_RPC_FUNC_CMD with an optee_msg_arg of `params`; params are updated from the reply.
// Returns the normal world's result (TEE_ERROR_GENERIC if it never filled one in).
uint32_t thread_rpc_cmd(uint32_t cmd, std::span<abi::OpteeMsgParam> params);
uint32_t thread_rpc_notification(uint32_t op, uint64_t key);
uint32_t thread_rpc_suspend(uint32_t ms);
// OPTEE_SMC_RPC_FUNC_FOREIGN_INTR: let a normal-world interrupt run, then continue.
void thread_rpc_foreign_intr();
// Yields with FOREIGN_INTR if a normal-world timer tick has elapsed since this thread got the CPU.
void thread_check_foreign_intr();

}  // namespace emu::optee_os

namespace emu::optee_os {
// At the end of a std call: gives back an RPC argument obtained by RPC_ALLOC unless the prealloc
// RPC cache (ENABLE_SHM_CACHE) keeps it for this thread's next call.
void thread_rpc_release_arg();
}  // namespace emu::optee_os
