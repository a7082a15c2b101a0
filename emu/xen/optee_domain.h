// The mediator's per-domain state (struct optee_domain and what hangs off it in
// xen/arch/arm/tee/optee.c).
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "emu/platform/memory.h"

namespace emu::xen {

using platform::paddr_t;

// A std call between its CALL_WITH_ARG and its end, across any number of RPCs (optee_std_call).
struct StdCall {
  paddr_t guest_arg_ipa = 0;
  paddr_t xen_arg_pa = 0;  // Xen's shadow of the guest's argument page
  int optee_thread_id = -1;
  uint32_t rpc_op = 0;
  uint64_t rpc_params[2] = {};
  uint64_t rpc_data_cookie = 0;  // the buffer of an RPC SHM_ALLOC in progress
  bool in_flight = false;
  // Xen asked the guest to free a buffer it could not translate; OP-TEE learns of the failure
  // when the guest answers (reference §6.3).
  bool xen_shm_free = false;
};

// A pre-allocated RPC argument buffer (shm_rpc): the guest's page, pinned, and Xen's shadow that
// OP-TEE writes into.
struct ShmRpc {
  paddr_t guest_ipa = 0;
  paddr_t guest_pa = 0;
  paddr_t xen_pa = 0;
};

// A guest buffer OP-TEE may access (optee_shm_buf): its pinned pages and, until OP-TEE has taken
// it, Xen's translated page list.
struct ShmBuf {
  uint32_t pg_count = 0;
  std::vector<paddr_t> pages;
  std::vector<paddr_t> pg_list;
};

struct OpteeDomain {
  mutable std::mutex lock;
  std::list<std::unique_ptr<StdCall>> calls;
  std::map<uint64_t, ShmRpc> rpcs;  // by cookie
  std::map<uint64_t, ShmBuf> bufs;  // by cookie
  uint32_t buf_pages = 0;
};

}  // namespace emu::xen
