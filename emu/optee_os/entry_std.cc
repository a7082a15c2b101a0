// Std calls on a secure thread: locating the optee_msg_arg (thread_optee_smc.c) and serving its
// command (optee_os core/tee/entry_std.c), including the parameter checks of reference §3.5.
#include <cstring>

#include "emu/abi/optee_msg.h"
#include "emu/abi/optee_smc.h"
#include "emu/optee_os/msg_param.h"
#include "emu/optee_os/optee_os.h"
#include "emu/optee_os/thread_rpc.h"

namespace emu::optee_os {

using namespace emu::abi;
using platform::kPageSize;

namespace {

constexpr size_t kTeeNumParams = 4;

// Memory objects a call holds until it ends (mobj refs and maps taken by copy_in_params).
struct CallRefs {
  std::vector<std::shared_ptr<RegShmMobj>> regd;
  std::vector<std::shared_ptr<RegShmMobj>> temporary;
  std::vector<std::unique_ptr<StaticShmMobj>> statics;
};

TEE_UUID uuid_from_octets(const uint8_t* o) {
  TEE_UUID u{};
  u.timeLow = uint32_t{o[0]} << 24 | uint32_t{o[1]} << 16 | uint32_t{o[2]} << 8 | o[3];
  u.timeMid = static_cast<uint16_t>(o[4] << 8 | o[5]);
  u.timeHiAndVersion = static_cast<uint16_t>(o[6] << 8 | o[7]);
  std::memcpy(u.clockSeqAndNode, o + 8, 8);
  return u;
}

class StdCall {
 public:
  StdCall(Partition& prtn, OpteeMsgArg* arg, uint32_t num_params)
      : prtn_(prtn), arg_(arg), params_(params_of(arg)), num_params_(num_params) {}
  ~StdCall() { release(); }
  // Returns the SMC result: OK, or EBADCMD for an unknown command.
  uint32_t dispatch();

 private:
  void set_result(uint32_t ret, uint32_t origin) {
    arg_->ret = ret;
    arg_->ret_origin = origin;
  }
  uint32_t copy_in_params(const OpteeMsgParam* in, size_t n, TaArgs* out);
  uint32_t copy_in_memref(const OpteeMsgParam& p, TEE_Param* out);
  void copy_out_params(const TaArgs& ta, OpteeMsgParam* out, size_t n);
  void release();

  void open_session();
  void invoke();
  void close_session();
  void register_shm();
  void unregister_shm();

  Partition& prtn_;
  OpteeMsgArg* arg_;
  OpteeMsgParam* params_;
  uint32_t num_params_;
  CallRefs refs_;
};
}  // namespace

uint32_t StdCall::copy_in_memref(const OpteeMsgParam& p, TEE_Param* out) {
  const uint64_t type = p.attr & OPTEE_MSG_ATTR_TYPE_MASK;
  if (type >= OPTEE_MSG_ATTR_TYPE_TMEM_INPUT) {
    const auto& t = p.u.tmem;
    if (t.buf_ptr == 0) {  // a NULL memref
      out->memref = {nullptr, static_cast<size_t>(t.size)};
      return kTeeSuccess;
    }
    if (p.attr & OPTEE_MSG_ATTR_NONCONTIG) {
      std::vector<platform::paddr_t> pages;
      size_t offs = 0;
      uint32_t res = msg_param_extract_pages(prtn_.os().mem(), t.buf_ptr, t.size, &pages, &offs);
      if (res != kTeeSuccess) return res;
      auto m = prtn_.reg_shm().make_temporary(std::move(pages), offs, t.size, &res);
      if (!m) return res;
      refs_.temporary.push_back(m);
      if (m->inc_map() != kTeeSuccess) {
        refs_.temporary.pop_back();
        prtn_.reg_shm().drop_temporary(m);
        return kTeeErrorOutOfMemory;
      }
      out->memref = {m->va(0), static_cast<size_t>(t.size)};
      return kTeeSuccess;
    }
    // Plain TMEM: a physical address that must lie inside the static carve-out.
    if (!prtn_.os().mem().in_carveout(t.buf_ptr, t.size)) return kTeeErrorBadParameters;
    refs_.statics.push_back(std::make_unique<StaticShmMobj>(prtn_.os().mem().va(t.buf_ptr),
                                                            static_cast<size_t>(t.size)));
    out->memref = {refs_.statics.back()->va(0), static_cast<size_t>(t.size)};
    return kTeeSuccess;
  }
  const auto& r = p.u.rmem;
  auto m = prtn_.reg_shm().get(r.shm_ref);
  if (!m) return kTeeErrorBadParameters;
  if (r.offs > m->size() || r.size > m->size() - r.offs) {
    prtn_.reg_shm().put(m);
    return kTeeErrorBadParameters;
  }
  if (m->inc_map() != kTeeSuccess) {
    prtn_.reg_shm().put(m);
    return kTeeErrorOutOfMemory;
  }
  refs_.regd.push_back(m);
  out->memref = {m->va(r.offs), static_cast<size_t>(r.size)};
  return kTeeSuccess;
}

uint32_t StdCall::copy_in_params(const OpteeMsgParam* in, size_t n, TaArgs* out) {
  if (n > kTeeNumParams) return kTeeErrorBadParameters;
  out->types = 0;
  for (size_t i = 0; i < n; ++i) {
    const OpteeMsgParam p = in[i];  // one read of memory the normal world can still change
    if (p.attr & OPTEE_MSG_ATTR_META) return kTeeErrorBadParameters;
    const uint64_t type = p.attr & OPTEE_MSG_ATTR_TYPE_MASK;
    uint32_t gp_type = TEE_PARAM_TYPE_NONE;
    switch (type) {
      case OPTEE_MSG_ATTR_TYPE_NONE:
        break;
      case OPTEE_MSG_ATTR_TYPE_VALUE_INPUT:
      case OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT:
      case OPTEE_MSG_ATTR_TYPE_VALUE_INOUT:
        gp_type = static_cast<uint32_t>(type);
        out->params[i].value = {static_cast<uint32_t>(p.u.value.a),
                                static_cast<uint32_t>(p.u.value.b)};
        break;
      case OPTEE_MSG_ATTR_TYPE_RMEM_INPUT:
      case OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT:
      case OPTEE_MSG_ATTR_TYPE_RMEM_INOUT:
      case OPTEE_MSG_ATTR_TYPE_TMEM_INPUT:
      case OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT:
      case OPTEE_MSG_ATTR_TYPE_TMEM_INOUT: {
        gp_type = static_cast<uint32_t>(type >= OPTEE_MSG_ATTR_TYPE_TMEM_INPUT ? type - 4 : type);
        if (uint32_t res = copy_in_memref(p, &out->params[i]); res != kTeeSuccess) return res;
        break;
      }
      default:
        return kTeeErrorBadParameters;
    }
    out->types |= gp_type << (4 * i);
  }
  return kTeeSuccess;
}

void StdCall::copy_out_params(const TaArgs& ta, OpteeMsgParam* out, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    switch (TEE_PARAM_TYPE_GET(ta.types, i)) {
      case TEE_PARAM_TYPE_VALUE_OUTPUT:
      case TEE_PARAM_TYPE_VALUE_INOUT:
        out[i].u.value.a = ta.params[i].value.a;
        out[i].u.value.b = ta.params[i].value.b;
        out[i].u.value.c = 0;
        break;
      case TEE_PARAM_TYPE_MEMREF_OUTPUT:
      case TEE_PARAM_TYPE_MEMREF_INOUT:
        // The TA may report a size larger than the buffer: "short buffer, this much is needed".
        out[i].u.tmem.size = ta.params[i].memref.size;
        break;
      default:
        break;
    }
  }
}

void StdCall::release() {
  for (auto& m : refs_.regd) {
    m->dec_map();
    prtn_.reg_shm().put(m);
  }
  for (auto& m : refs_.temporary) {
    m->dec_map();
    prtn_.reg_shm().drop_temporary(m);
  }
  refs_ = {};
}

void StdCall::open_session() {
  constexpr uint64_t kMeta = OPTEE_MSG_ATTR_META | OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
  if (num_params_ < 2 || params_[0].attr != kMeta || params_[1].attr != kMeta)
    return set_result(kTeeErrorBadParameters, kTeeOriginTee);
  uint8_t octets[16];
  std::memcpy(octets, &params_[0].u.value, sizeof(octets));
  const TEE_UUID uuid = uuid_from_octets(octets);
  TaArgs ta;
  if (uint32_t res = copy_in_params(params_ + 2, num_params_ - 2, &ta); res != kTeeSuccess)
    return set_result(res, kTeeOriginTee);
  uint32_t id = 0;
  const TaResult r = prtn_.ta_manager().open_session(uuid, ta, &id);
  copy_out_params(ta, params_ + 2, num_params_ - 2);
  arg_->session = r.ret == kTeeSuccess ? id : 0;
  set_result(r.ret, r.origin);
}

void StdCall::invoke() {
  TaArgs ta;
  if (uint32_t res = copy_in_params(params_, num_params_, &ta); res != kTeeSuccess)
    return set_result(res, kTeeOriginTee);
  const TaResult r = prtn_.ta_manager().invoke(arg_->session, arg_->func, ta);
  copy_out_params(ta, params_, num_params_);
  set_result(r.ret, r.origin);
}

void StdCall::close_session() {
  if (num_params_ != 0) return set_result(kTeeErrorBadParameters, kTeeOriginTee);
  const TaResult r = prtn_.ta_manager().close_session(arg_->session);
  set_result(r.ret, r.origin);
}

void StdCall::register_shm() {
  if (num_params_ != 1 ||
      params_[0].attr != (OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT | OPTEE_MSG_ATTR_NONCONTIG))
    return set_result(kTeeErrorBadParameters, kTeeOriginTee);
  const OpteeMsgParamTmem t = params_[0].u.tmem;
  std::vector<platform::paddr_t> pages;
  size_t offs = 0;
  uint32_t res = msg_param_extract_pages(prtn_.os().mem(), t.buf_ptr, t.size, &pages, &offs);
  if (res == kTeeSuccess)
    res = prtn_.reg_shm().register_shm(t.shm_ref, std::move(pages), offs, t.size);
  set_result(res, kTeeOriginTee);
}

void StdCall::unregister_shm() {
  if (num_params_ != 1 || params_[0].attr != OPTEE_MSG_ATTR_TYPE_RMEM_INPUT)
    return set_result(kTeeErrorBadParameters, kTeeOriginTee);
  set_result(prtn_.reg_shm().release(params_[0].u.rmem.shm_ref), kTeeOriginTee);
}

uint32_t StdCall::dispatch() {
  switch (arg_->cmd) {
    case OPTEE_MSG_CMD_OPEN_SESSION:
      open_session();
      break;
    case OPTEE_MSG_CMD_INVOKE_COMMAND:
      invoke();
      break;
    case OPTEE_MSG_CMD_CLOSE_SESSION:
      close_session();
      break;
    case OPTEE_MSG_CMD_CANCEL:
      // The benchmark TAs never check for cancellation, so a cancel request has nothing to stop.
      set_result(kTeeSuccess, kTeeOriginTee);
      break;
    case OPTEE_MSG_CMD_REGISTER_SHM:
      register_shm();
      break;
    case OPTEE_MSG_CMD_UNREGISTER_SHM:
      unregister_shm();
      break;
    default:
      return OPTEE_SMC_RETURN_EBADCMD;
  }
  release();
  return OPTEE_SMC_RETURN_OK;
}

void OpteeOs::std_entry(Partition& prtn, platform::SmcRegs& regs) {
  Thread* t = ThreadPool::current();
  const auto func = static_cast<uint32_t>(regs.a[0]);
  const uint64_t a12 = (regs.a[1] << 32) | (regs.a[2] & 0xffffffffu);
  uint8_t* va = nullptr;
  size_t avail = 0;
  std::shared_ptr<RegShmMobj> regd;
  auto finish = [&](uint32_t a0) {
    if (regd) {
      regd->dec_map();
      prtn.reg_shm().put(regd);
    }
    regs.a[0] = a0;
  };

  if (func == OPTEE_SMC_CALL_WITH_ARG || func == OPTEE_SMC_CALL_WITH_RPC_ARG) {
    if (mem_.in_carveout(a12, sizeof(OpteeMsgArg))) {
      if (a12 % alignof(uint64_t)) return finish(OPTEE_SMC_RETURN_EBADADDR);
      avail = mem_.carveout_base() + mem_.carveout_size() - a12;
    } else {
      // Outside the carve-out the argument must be one page-aligned non-secure page.
      if ((a12 & (kPageSize - 1)) || !mem_.in_ns_ddr(a12, kPageSize))
        return finish(OPTEE_SMC_RETURN_EBADADDR);
      avail = kPageSize;
    }
    va = mem_.va(a12);
  } else if (func == OPTEE_SMC_CALL_WITH_REGD_ARG) {
    regd = prtn.reg_shm().get(a12);
    if (!regd) return finish(OPTEE_SMC_RETURN_EBADADDR);
    if (regd->inc_map() != kTeeSuccess) {
      prtn.reg_shm().put(regd);
      regd.reset();
      return finish(OPTEE_SMC_RETURN_ENOMEM);
    }
    const uint64_t offs = regs.a[3];
    if (offs >= regd->size()) return finish(OPTEE_SMC_RETURN_EBADADDR);
    va = regd->va(offs);
    avail = regd->size() - offs;
  } else {
    return finish(OPTEE_SMC_RETURN_EBADCMD);
  }

  auto* arg = reinterpret_cast<OpteeMsgArg*>(va);
  if (avail < sizeof(OpteeMsgArg)) return finish(OPTEE_SMC_RETURN_EBADADDR);
  const uint32_t num_params = arg->num_params;
  if (num_params > OPTEE_MSG_MAX_NUM_PARAMS || optee_msg_get_arg_size(num_params) > avail)
    return finish(OPTEE_SMC_RETURN_EBADADDR);
  t->rpc_arg = nullptr;
  if (func != OPTEE_SMC_CALL_WITH_ARG) {
    const size_t rpc_at = optee_msg_get_arg_size(num_params);
    if (rpc_at + optee_msg_get_arg_size(kThreadRpcMaxNumParams) > avail)
      return finish(OPTEE_SMC_RETURN_EBADADDR);
    t->rpc_arg = va + rpc_at;
  }
  uint32_t a0 = OPTEE_SMC_RETURN_OK;
  {
    StdCall call(prtn, arg, num_params);
    a0 = call.dispatch();
  }
  thread_rpc_release_arg();
  finish(a0);
}

}  // namespace emu::optee_os
