#include "emu/optee_os/tee_ta_manager.h"

#include "emu/optee_os/ree_fs_ta.h"
#include "emu/optee_os/thread.h"

#include "emu/abi/optee_msg.h"

namespace emu::optee_os {

using abi::kTeeOriginTee;
using abi::kTeeOriginTrustedApp;

uint32_t TaManager::next_session_id() const {
  uint32_t id = sessions_.empty() ? 1 : sessions_.rbegin()->first + 1;
  if (id == 0) id = 1;
  while (sessions_.count(id)) ++id;
  return id;
}

TaResult TaManager::open_session(const TEE_UUID& uuid, TaArgs& args, uint32_t* session_id) {
  const TaInfo* ta = find_ta(uuid);
  if (!ta) return {TEE_ERROR_ITEM_NOT_FOUND, kTeeOriginTee};
  Instance* inst = nullptr;
  bool created = false;
  {
    std::unique_lock lk(lock_);
    // An instance of this TA still loading for another opener is waited for (as a suspended
    // thread), whatever the TA's flags: OP-TEE looks the context up by UUID and waits on
    // tee_ta_init_cv while it initializes, so loads of one TA never overlap (docs/ta.md).
    for (;;) {
      bool loading = false;
      for (auto& i : instances_) loading = loading || (i.ta == ta && i.loading);
      if (!loading) break;
      cv_.wait(lk);
    }
    if (ta->flags & TA_FLAG_SINGLE_INSTANCE) {
      for (auto& i : instances_)
        if (i.ta == ta) inst = &i;
      if (inst && !(ta->flags & TA_FLAG_MULTI_SESSION) && inst->sessions > 0)
        return {TEE_ERROR_BUSY, kTeeOriginTee};
    }
    if (!inst) {
      instances_.push_back(Instance{ta, 0, false, true});
      inst = &instances_.back();
      created = true;
      instances_created_++;
    }
    inst->sessions++;
  }
  cost_.charge(platform::Cost::kTaInvoke);
  TaResult res{TEE_SUCCESS, kTeeOriginTrustedApp};
  if (created) {
    // A TA not linked into OP-TEE is read from the normal world first (ree_fs_ta.h).
    if (!early_tas_) res = {ree_fs_ta_load(uuid, cost_), kTeeOriginTee};
    if (res.ret == TEE_SUCCESS) res.ret = TA_CreateEntryPoint();
    std::vector<uint64_t> keys;
    {
      std::lock_guard g(lock_);
      inst->loading = false;
      // A TA that did not load or start is no instance, keep-alive or not; no one else holds it
      // (openers waited while it loaded).
      if (res.ret != TEE_SUCCESS)
        instances_.remove_if([inst](const Instance& i) { return &i == inst; });
      keys = cv_.take_waiters();
    }
    WaitQueue::wake(keys);
    if (res.ret != TEE_SUCCESS) return res;
  }
  void* ctx = nullptr;
  if (res.ret == TEE_SUCCESS) {
    set_busy(inst);
    res.ret = TA_OpenSessionEntryPoint(args.types, args.params, &ctx);
    clear_busy(inst);
  }
  std::lock_guard g(lock_);
  if (res.ret != TEE_SUCCESS) {
    if (--inst->sessions == 0 && !(ta->flags & TA_FLAG_INSTANCE_KEEP_ALIVE))
      instances_.remove_if([inst](const Instance& i) { return &i == inst; });
    return res;
  }
  const uint32_t id = next_session_id();
  sessions_.emplace(id, std::make_unique<Session>(Session{id, inst, ctx, false}));
  *session_id = id;
  return res;
}

TaManager::Session* TaManager::get_session(uint32_t id) {
  std::unique_lock lk(lock_);
  for (;;) {
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return nullptr;
    if (!it->second->locked) {
      it->second->locked = true;
      return it->second.get();
    }
    cv_.wait(lk);
  }
}

void TaManager::put_session(Session* s) {
  std::vector<uint64_t> keys;
  {
    std::lock_guard g(lock_);
    s->locked = false;
    keys = cv_.take_waiters();
  }
  WaitQueue::wake(keys);
}

void TaManager::set_busy(Instance* inst) {
  if (!(inst->ta->flags & TA_FLAG_SINGLE_INSTANCE) || (inst->ta->flags & TA_FLAG_CONCURRENT))
    return;
  std::unique_lock lk(lock_);
  while (inst->busy) cv_.wait(lk);
  inst->busy = true;
}

void TaManager::clear_busy(Instance* inst) {
  if (!(inst->ta->flags & TA_FLAG_SINGLE_INSTANCE) || (inst->ta->flags & TA_FLAG_CONCURRENT))
    return;
  std::vector<uint64_t> keys;
  {
    std::lock_guard g(lock_);
    inst->busy = false;
    keys = cv_.take_waiters();
  }
  WaitQueue::wake(keys);
}

TaResult TaManager::invoke(uint32_t session_id, uint32_t cmd, TaArgs& args) {
  Session* s = get_session(session_id);
  if (!s) return {TEE_ERROR_ITEM_NOT_FOUND, kTeeOriginTee};
  set_busy(s->instance);
  cost_.charge(platform::Cost::kTaInvoke);
  Thread* t = ThreadPool::current();
  if (t) t->ta = s->instance->ta;
  const uint32_t ret = TA_InvokeCommandEntryPoint(s->ctx, cmd, args.types, args.params);
  t = ThreadPool::current();
  if (t) t->ta = nullptr;
  clear_busy(s->instance);
  put_session(s);
  return {ret, kTeeOriginTrustedApp};
}

TaResult TaManager::close_session(uint32_t session_id) {
  Session* s = get_session(session_id);
  if (!s) return {TEE_ERROR_ITEM_NOT_FOUND, kTeeOriginTee};
  Instance* inst = s->instance;
  set_busy(inst);
  TA_CloseSessionEntryPoint(s->ctx);
  clear_busy(inst);
  bool destroy = false;
  std::vector<uint64_t> keys;
  {
    std::lock_guard g(lock_);
    sessions_.erase(session_id);
    destroy = --inst->sessions == 0 && !(inst->ta->flags & TA_FLAG_INSTANCE_KEEP_ALIVE);
    keys = cv_.take_waiters();  // waiters on this session must see it is gone
  }
  WaitQueue::wake(keys);
  if (destroy) {
    TA_DestroyEntryPoint();
    std::lock_guard g(lock_);
    instances_.remove_if([inst](const Instance& i) { return &i == inst; });
  }
  return {TEE_SUCCESS, kTeeOriginTee};
}

size_t TaManager::session_count() const {
  std::lock_guard g(lock_);
  return sessions_.size();
}

size_t TaManager::instance_count() const {
  std::lock_guard g(lock_);
  return instances_.size();
}

uint64_t TaManager::instances_created() const {
  std::lock_guard g(lock_);
  return instances_created_;
}

}  // namespace emu::optee_os
