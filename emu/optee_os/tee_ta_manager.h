// Sessions and TA instances (optee_os core/kernel/tee_ta_manager.c). Session ids are global from 1.
// Concurrent invokes on one session, and invokes on a busy single-instance TA without
// TA_FLAG_CONCURRENT, wait as suspended secure threads (tee_ta_get_session / tee_ta_try_set_busy).
#pragma once

#include <tee_internal_api.h>

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>

#include "emu/optee_os/wait_queue.h"
#include "emu/platform/cost_model.h"

namespace emu::optee_os {

// TA property flags (optee_os lib/libutee/include/user_ta_header.h).
inline constexpr uint32_t TA_FLAG_SINGLE_INSTANCE = 1u << 2;
inline constexpr uint32_t TA_FLAG_MULTI_SESSION = 1u << 3;
inline constexpr uint32_t TA_FLAG_INSTANCE_KEEP_ALIVE = 1u << 4;
inline constexpr uint32_t TA_FLAG_CONCURRENT = 1u << 8;

struct TaInfo {
  TEE_UUID uuid;
  uint32_t flags;
  const char* name;
};
// The TAs this emulated OP-TEE can load (ta_registry.cc).
const TaInfo* find_ta(const TEE_UUID& uuid);

struct TaArgs {
  uint32_t types = 0;
  TEE_Param params[4] = {};
};

struct TaResult {
  uint32_t ret = 0;
  uint32_t origin = 0;
};

class TaManager {
 public:
  // `early_tas`: the TAs are linked into OP-TEE (CFG_EARLY_TA); else a new instance is loaded
  // through tee-supplicant first.
  TaManager(const platform::CostModel& cost, bool early_tas) : cost_(cost), early_tas_(early_tas) {}
  TaResult open_session(const TEE_UUID& uuid, TaArgs& args, uint32_t* session_id);
  TaResult invoke(uint32_t session_id, uint32_t cmd, TaArgs& args);
  TaResult close_session(uint32_t session_id);
  size_t session_count() const;
  size_t instance_count() const;
  // Instances ever created (each a TA load in the real OP-TEE): keep-alive shows as fewer.
  uint64_t instances_created() const;

 private:
  struct Instance {
    const TaInfo* ta = nullptr;
    uint32_t sessions = 0;
    bool busy = false;
    bool loading = false;  // being loaded: openers of a single instance wait for it
  };
  struct Session {
    uint32_t id = 0;
    Instance* instance = nullptr;
    void* ctx = nullptr;
    bool locked = false;
  };
  Session* get_session(uint32_t id);  // waits while another call holds it
  void put_session(Session* s);
  void set_busy(Instance* inst);  // waits while a non-concurrent single instance is busy
  void clear_busy(Instance* inst);
  uint32_t next_session_id() const;

  const platform::CostModel& cost_;
  const bool early_tas_;
  mutable std::mutex lock_;
  std::map<uint32_t, std::unique_ptr<Session>> sessions_;
  std::list<Instance> instances_;
  uint64_t instances_created_ = 0;
  WaitQueue cv_;  // tee_ta_cv / the busy condvar
};

}  // namespace emu::optee_os
