// The OP-TEE mediator's call handling (xen/arch/arm/tee/optee.c); facts in reference §6.
#include "emu/xen/optee.h"

#include "emu/xen/optee_domain.h"

#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "emu/abi/optee_msg.h"
#include "emu/abi/optee_smc.h"

namespace emu::xen {

using namespace emu::abi;
using platform::kPageSize;
using platform::SmcRegs;

// Capabilities a guest may see (OPTEE_KNOWN_SEC_CAPS / OPTEE_KNOWN_NSEC_CAPS).
constexpr uint64_t kKnownSecCaps = OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM |
                                   OPTEE_SMC_SEC_CAP_UNREGISTERED_SHM |
                                   OPTEE_SMC_SEC_CAP_DYNAMIC_SHM | OPTEE_SMC_SEC_CAP_MEMREF_NULL;
constexpr uint64_t kKnownNsecCaps = OPTEE_SMC_NSEC_CAP_UNIPROCESSOR;

namespace {

uint64_t pair(uint64_t hi, uint64_t lo) { return (hi << 32) | (lo & 0xffffffffu); }
void split(uint64_t v, uint64_t* hi, uint64_t* lo) {
  *hi = v >> 32;
  *lo = v & 0xffffffffu;
}

}  // namespace

struct OpteeMediator::Impl {
  OpteeMediator& m;
  Domain& d;
  OpteeDomain& ctx;

  uint8_t* mva(paddr_t pa) const { return m.mem_.va(pa); }
  OpteeMsgArg* xen_arg(const StdCall& c) const {
    return reinterpret_cast<OpteeMsgArg*>(mva(c.xen_arg_pa));
  }

  std::optional<paddr_t> xen_page() {
    auto pa = m.mem_.alloc_page();
    if (pa) m.xen_pages_++;
    return pa;
  }
  void free_xen_page(paddr_t pa) {
    m.mem_.put_page(pa);
    m.xen_pages_--;
  }
  // get_domain_ram_page: the machine page behind a guest IPA, with a reference held.
  std::optional<paddr_t> pin(paddr_t ipa) {
    auto pa = d.mem().p2m(ipa & ~(kPageSize - 1));
    if (!pa) return std::nullopt;
    m.mem_.get_page(*pa);
    return pa;
  }
  void unpin(paddr_t pa) { m.mem_.put_page(pa); }

  void call_optee(SmcRegs& r) {
    r.a[6] = 0;
    r.a[7] = optee_client_id(d);
    m.optee_.smc(r);
  }

  // --- call contexts ---
  StdCall* allocate_std_call() {
    std::lock_guard g(ctx.lock);
    if (ctx.calls.size() >= m.max_optee_threads_) return nullptr;
    ctx.calls.push_back(std::make_unique<StdCall>());
    ctx.calls.back()->in_flight = true;
    return ctx.calls.back().get();
  }
  StdCall* get_std_call(int thread_id) {
    std::lock_guard g(ctx.lock);
    // in_flight first: a call in flight belongs to the vCPU running it, which may be writing its
    // thread id right now (it publishes it by clearing in_flight under this lock).
    for (auto& c : ctx.calls)
      if (!c->in_flight && c->optee_thread_id == thread_id) {
        c->in_flight = true;
        return c.get();
      }
    return nullptr;
  }
  void put_std_call(StdCall* c) {
    std::lock_guard g(ctx.lock);
    c->in_flight = false;
  }
  void free_std_call(StdCall* c) {
    if (c->xen_arg_pa) free_xen_page(c->xen_arg_pa);
    std::lock_guard g(ctx.lock);
    ctx.calls.remove_if([c](const auto& p) { return p.get() == c; });
  }

  // --- shared buffers ---
  void free_pg_list(ShmBuf& b) {
    for (paddr_t pa : b.pg_list) free_xen_page(pa);
    b.pg_list.clear();
  }
  void free_shm_buf(uint64_t cookie) {
    ShmBuf b;
    {
      std::lock_guard g(ctx.lock);
      auto it = ctx.bufs.find(cookie);
      if (it == ctx.bufs.end()) return;
      b = std::move(it->second);
      ctx.buf_pages -= b.pg_count;
      ctx.bufs.erase(it);
    }
    free_pg_list(b);
    for (paddr_t pa : b.pages) unpin(pa);
  }
  void free_shm_buf_pg_list(uint64_t cookie) {
    std::vector<paddr_t> list;
    {
      std::lock_guard g(ctx.lock);
      auto it = ctx.bufs.find(cookie);
      if (it == ctx.bufs.end()) return;
      list.swap(it->second.pg_list);
    }
    for (paddr_t pa : list) free_xen_page(pa);
  }

  // translate_noncontig: Xen's own page list of machine addresses for the guest's list of IPAs.
  int translate_noncontig(OpteeMsgParam& p) {
    const uint64_t offset = p.u.tmem.buf_ptr & (kNoncontigPageSize - 1);
    const uint64_t size =
        (p.u.tmem.size + offset + kNoncontigPageSize - 1) & ~(kNoncontigPageSize - 1);
    const uint64_t pg_count = size / kNoncontigPageSize;
    const uint64_t cookie = p.u.tmem.shm_ref;
    if (pg_count > m.limits_.max_shm_buffer_pages) {
      m.counters_.buffer_too_big++;
      return -ENOMEM;
    }
    {
      std::lock_guard g(ctx.lock);
      if (ctx.bufs.size() >= m.limits_.max_shm_buffer_count) {
        m.counters_.buffer_count++;
        return -ENOMEM;
      }
      if (ctx.buf_pages + pg_count >= m.limits_.max_total_shm_pages) {
        m.counters_.total_pages++;
        return -ENOMEM;
      }
      if (ctx.bufs.count(cookie)) {
        m.counters_.duplicate_cookie++;
        return -EINVAL;
      }
      ctx.bufs[cookie].pg_count = static_cast<uint32_t>(pg_count);
      ctx.buf_pages += static_cast<uint32_t>(pg_count);
    }
    ShmBuf b;
    b.pg_count = static_cast<uint32_t>(pg_count);
    auto fail = [&](int err) {
      {
        std::lock_guard g(ctx.lock);
        ctx.bufs.erase(cookie);
        ctx.buf_pages -= static_cast<uint32_t>(pg_count);
      }
      free_pg_list(b);
      for (paddr_t pa : b.pages) unpin(pa);
      return err;
    };
    const size_t lists = (pg_count + kPagesListEntries - 1) / kPagesListEntries;
    for (size_t i = 0; i < std::max<size_t>(lists, 1); ++i) {
      auto pa = xen_page();
      if (!pa) return fail(-ENOMEM);
      b.pg_list.push_back(*pa);
    }
    paddr_t guest_list = p.u.tmem.buf_ptr & ~(kNoncontigPageSize - 1);
    size_t idx = 0;
    size_t list = 0;
    const uint64_t* gdata = nullptr;
    for (uint64_t n = 0; n < pg_count; ++n) {
      if (idx == 0) {
        auto gpa = d.mem().p2m(guest_list);
        if (!gpa) return fail(-EINVAL);
        gdata = reinterpret_cast<const uint64_t*>(mva(*gpa));
      }
      auto page = pin(gdata[idx]);
      if (!page) return fail(-EINVAL);
      b.pages.push_back(*page);
      auto* xdata = reinterpret_cast<uint64_t*>(mva(b.pg_list[list]));
      xdata[idx] = *page;
      m.cost_.charge(platform::Cost::kMediatorPage);
      m.counters_.pages_translated++;
      if (++idx == kPagesListEntries) {
        xdata[kPagesListEntries] = b.pg_list[list + 1 < b.pg_list.size() ? list + 1 : list];
        guest_list = gdata[kPagesListEntries];
        ++list;
        idx = 0;
      }
    }
    p.u.tmem.buf_ptr = b.pg_list[0] | offset;
    std::lock_guard g(ctx.lock);
    ctx.bufs[cookie] = std::move(b);
    return 0;
  }

  int translate_params(StdCall& c) {
    OpteeMsgArg* a = xen_arg(c);
    OpteeMsgParam* ps = params_of(a);
    int ret = 0;
    for (uint32_t i = 0; i < a->num_params && !ret; ++i) {
      switch (ps[i].attr & OPTEE_MSG_ATTR_TYPE_MASK) {
        case OPTEE_MSG_ATTR_TYPE_TMEM_INPUT:
        case OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT:
        case OPTEE_MSG_ATTR_TYPE_TMEM_INOUT:
          // A plain (physically contiguous) tmem would name guest memory OP-TEE cannot check.
          ret = (ps[i].attr & OPTEE_MSG_ATTR_NONCONTIG) ? translate_noncontig(ps[i]) : -EINVAL;
          break;
        default:
          break;
      }
    }
    if (ret) {
      a->ret_origin = kTeeOriginComms;
      a->ret = ret == -ENOMEM ? kTeeErrorOutOfMemory : kTeeErrorBadParameters;
    }
    return ret;
  }

  // copy_std_request_back: only what a call may change, into the guest's page re-validated.
  void copy_std_request_back(StdCall& c, SmcRegs& regs) {
    auto gpa = d.mem().p2m(c.guest_arg_ipa);
    if (!gpa) {
      regs.a[0] = OPTEE_SMC_RETURN_EBADADDR;
      return;
    }
    auto* g = reinterpret_cast<OpteeMsgArg*>(mva(*gpa));
    const OpteeMsgArg* x = xen_arg(c);
    g->ret = x->ret;
    g->ret_origin = x->ret_origin;
    g->session = x->session;
    const OpteeMsgParam* xp = params_of(const_cast<OpteeMsgArg*>(x));
    OpteeMsgParam* gp = params_of(g);
    for (uint32_t i = 0; i < x->num_params; ++i) {
      switch (xp[i].attr & OPTEE_MSG_ATTR_TYPE_MASK) {
        case OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT:
        case OPTEE_MSG_ATTR_TYPE_TMEM_INOUT:
          gp[i].u.tmem.size = xp[i].u.tmem.size;
          break;
        case OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT:
        case OPTEE_MSG_ATTR_TYPE_RMEM_INOUT:
          gp[i].u.rmem.size = xp[i].u.rmem.size;
          break;
        case OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT:
        case OPTEE_MSG_ATTR_TYPE_VALUE_INOUT:
          gp[i].u.value = xp[i].u.value;
          break;
        default:
          break;
      }
    }
    m.cost_.charge(platform::Cost::kMediatorCopyPage);
  }

  void free_temporary_buffers(StdCall& c) {
    OpteeMsgArg* a = xen_arg(c);
    OpteeMsgParam* ps = params_of(a);
    for (uint32_t i = 0; i < a->num_params; ++i) {
      const uint64_t t = ps[i].attr & OPTEE_MSG_ATTR_TYPE_MASK;
      if (t >= OPTEE_MSG_ATTR_TYPE_TMEM_INPUT && t <= OPTEE_MSG_ATTR_TYPE_TMEM_INOUT)
        free_shm_buf(ps[i].u.tmem.shm_ref);
    }
  }

  // --- RPC pass-through ---
  ShmRpc* find_shm_rpc(uint64_t cookie) {
    std::lock_guard g(ctx.lock);
    auto it = ctx.rpcs.find(cookie);
    return it == ctx.rpcs.end() ? nullptr : &it->second;
  }
  void free_shm_rpc(uint64_t cookie) {
    ShmRpc r;
    {
      std::lock_guard g(ctx.lock);
      auto it = ctx.rpcs.find(cookie);
      if (it == ctx.rpcs.end()) return;
      r = it->second;
      ctx.rpcs.erase(it);
    }
    free_xen_page(r.xen_pa);
    unpin(r.guest_pa);
  }

  // OP-TEE exited with an RPC: hand it to the guest. Returns false if the RPC cannot reach the
  // guest and OP-TEE must be resumed at once (-ERESTART in Xen).
  bool rpc_to_guest(StdCall& c, const SmcRegs& r, SmcRegs& regs) {
    c.rpc_op = rpc_func(r.a[0]);
    c.rpc_params[0] = r.a[1];
    c.rpc_params[1] = r.a[2];
    c.optee_thread_id = static_cast<int>(r.a[3]);
    for (int i = 0; i < 4; ++i) regs.a[i] = r.a[i];
    if (c.rpc_op != OPTEE_SMC_RPC_FUNC_CMD) return true;
    ShmRpc* s = find_shm_rpc(pair(r.a[1], r.a[2]));
    // OP-TEE preset an error in the argument, so resuming it unanswered fails the request safely.
    if (!s) return false;
    const auto* x = reinterpret_cast<const OpteeMsgArg*>(mva(s->xen_pa));
    if (optee_msg_get_arg_size(x->num_params) > kPageSize) return false;
    std::memcpy(mva(s->guest_pa), x, optee_msg_get_arg_size(x->num_params));
    m.cost_.charge(platform::Cost::kMediatorCopyPage);
    return true;
  }

  // do_call_with_arg: one (re)entry of OP-TEE for this call, and what follows from its answer.
  void do_call(StdCall& c, SmcRegs& regs, SmcRegs r) {
    call_optee(r);
    if (return_is_rpc(r.a[0])) {
      while (!rpc_to_guest(c, r, regs)) {
        r = SmcRegs{};
        r.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
        r.a[3] = static_cast<uint64_t>(c.optee_thread_id);
        call_optee(r);
        if (!return_is_rpc(r.a[0])) break;
      }
      if (return_is_rpc(r.a[0])) {
        put_std_call(&c);
        return;
      }
    }
    copy_std_request_back(c, regs);
    if (regs.a[0] != OPTEE_SMC_RETURN_EBADADDR) regs.a[0] = r.a[0];
    OpteeMsgArg* a = xen_arg(c);
    switch (a->cmd) {
      case OPTEE_MSG_CMD_REGISTER_SHM:
        if (a->ret == kTeeSuccess)
          free_shm_buf_pg_list(params_of(a)[0].u.tmem.shm_ref);  // OP-TEE has its own copy now
        else
          free_shm_buf(params_of(a)[0].u.tmem.shm_ref);
        break;
      case OPTEE_MSG_CMD_UNREGISTER_SHM:
        if (a->ret == kTeeSuccess) free_shm_buf(params_of(a)[0].u.rmem.shm_ref);
        break;
      default:
        free_temporary_buffers(c);
    }
    free_std_call(&c);
  }

  void handle_std_call(SmcRegs& regs) {
    StdCall* c = allocate_std_call();
    if (!c) {
      m.counters_.thread_limit++;
      regs.a[0] = OPTEE_SMC_RETURN_ETHREAD_LIMIT;
      return;
    }
    c->guest_arg_ipa = pair(regs.a[1], regs.a[2]);
    // The argument must start a page: Xen copies the whole page.
    if (c->guest_arg_ipa & (kNoncontigPageSize - 1)) {
      m.counters_.rejected++;
      regs.a[0] = OPTEE_SMC_RETURN_EBADADDR;
      return free_std_call(c);
    }
    auto shadow = xen_page();
    if (!shadow) {
      regs.a[0] = OPTEE_SMC_RETURN_ENOMEM;
      return free_std_call(c);
    }
    c->xen_arg_pa = *shadow;
    auto gpa = d.mem().p2m(c->guest_arg_ipa);
    if (!gpa) {
      m.counters_.rejected++;
      regs.a[0] = OPTEE_SMC_RETURN_EBADADDR;
      return free_std_call(c);
    }
    std::memcpy(mva(c->xen_arg_pa), mva(*gpa), kNoncontigPageSize);
    m.cost_.charge(platform::Cost::kMediatorCopyPage);
    OpteeMsgArg* a = xen_arg(*c);
    if (optee_msg_get_arg_size(a->num_params) > kNoncontigPageSize) {
      a->ret = kTeeErrorBadParameters;
      a->ret_origin = kTeeOriginComms;
      a->num_params = 0;  // keep the copy-back inside the page
      copy_std_request_back(*c, regs);
      return free_std_call(c);
    }
    switch (a->cmd) {
      case OPTEE_MSG_CMD_OPEN_SESSION:
      case OPTEE_MSG_CMD_CLOSE_SESSION:
      case OPTEE_MSG_CMD_INVOKE_COMMAND:
      case OPTEE_MSG_CMD_CANCEL:
      case OPTEE_MSG_CMD_REGISTER_SHM:
      case OPTEE_MSG_CMD_UNREGISTER_SHM:
        break;
      default:
        m.counters_.rejected++;
        regs.a[0] = OPTEE_SMC_RETURN_EBADCMD;
        return free_std_call(c);
    }
    if (translate_params(*c)) {
      m.counters_.rejected++;
      // The SMC worked; the error is in the message (Xen's comment says as much).
      copy_std_request_back(*c, regs);
      regs.a[0] = OPTEE_SMC_RETURN_OK;
      free_temporary_buffers(*c);
      return free_std_call(c);
    }
    SmcRegs r;
    r.a[0] = OPTEE_SMC_CALL_WITH_ARG;
    split(c->xen_arg_pa, &r.a[1], &r.a[2]);
    r.a[3] = OPTEE_SMC_SHM_CACHED;
    do_call(*c, regs, r);
  }

  SmcRegs resume_regs(const StdCall& c, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a4 = 0,
                      uint64_t a5 = 0) {
    SmcRegs r;
    r.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
    r.a[1] = a1;
    r.a[2] = a2;
    r.a[3] = static_cast<uint64_t>(c.optee_thread_id);
    r.a[4] = a4;
    r.a[5] = a5;
    return r;
  }

  void handle_rpc_func_alloc(StdCall& c, SmcRegs& regs, int thread_id) {
    paddr_t ptr = pair(regs.a[1], regs.a[2]);
    const uint64_t cookie = pair(regs.a[4], regs.a[5]);
    if (ptr & (kNoncontigPageSize - 1)) {
      ptr = 0;  // OP-TEE waits for an answer: give it one it will reject
    } else if (ptr) {
      auto guest = pin(ptr);
      auto shadow = guest ? xen_page() : std::nullopt;
      bool dup = false;
      if (shadow) {
        std::lock_guard g(ctx.lock);
        dup = ctx.rpcs.count(cookie) != 0;
        if (!dup) ctx.rpcs[cookie] = ShmRpc{ptr, *guest, *shadow};
      }
      if (!shadow || dup) {
        if (shadow) free_xen_page(*shadow);
        if (guest) unpin(*guest);
        ptr = 0;
      } else {
        ptr = *shadow;
      }
    }
    SmcRegs r = resume_regs(c, 0, 0, regs.a[4], regs.a[5]);
    r.a[3] = static_cast<uint64_t>(thread_id);
    split(ptr, &r.a[1], &r.a[2]);
    do_call(c, regs, r);
  }

  // The guest answered an SHM_ALLOC: its buffer must be a non-contiguous page list to translate.
  void handle_rpc_cmd_alloc(StdCall& c, ShmRpc& s, uint32_t shm_type) {
    auto* x = reinterpret_cast<OpteeMsgArg*>(mva(s.xen_pa));
    OpteeMsgParam* p = params_of(x);
    if (x->ret || x->num_params != 1) return;
    if (p[0].attr != (OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT | OPTEE_MSG_ATTR_NONCONTIG)) return;
    if (c.rpc_data_cookie) free_shm_buf_pg_list(c.rpc_data_cookie);
    const uint64_t guest_cookie = p[0].u.tmem.shm_ref;
    if (translate_noncontig(p[0]) == 0) {
      c.rpc_data_cookie = guest_cookie;
      return;
    }
    c.rpc_data_cookie = 0;
    // The guest believes it gave OP-TEE a buffer: ask it to free that first, then tell OP-TEE.
    auto* g = reinterpret_cast<OpteeMsgArg*>(mva(s.guest_pa));
    std::memset(g, 0, optee_msg_get_arg_size(1));
    g->cmd = OPTEE_RPC_CMD_SHM_FREE;
    g->ret = kTeeErrorGeneric;
    g->num_params = 1;
    params_of(g)[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
    params_of(g)[0].u.value.a = shm_type;
    params_of(g)[0].u.value.b = guest_cookie;
    c.xen_shm_free = true;
  }

  void handle_rpc_cmd(StdCall& c, SmcRegs& regs, int thread_id) {
    const uint64_t cookie = pair(c.rpc_params[0], c.rpc_params[1]);
    ShmRpc* s = find_shm_rpc(cookie);
    if (s) {
      auto* x = reinterpret_cast<OpteeMsgArg*>(mva(s->xen_pa));
      const auto* g = reinterpret_cast<const OpteeMsgArg*>(mva(s->guest_pa));
      if (c.xen_shm_free) {
        // The guest freed the untranslatable buffer; now OP-TEE hears that the allocation failed.
        c.xen_shm_free = false;
        x->ret = kTeeErrorGeneric;
        x->num_params = 0;
      } else {
        const uint32_t shm_type = static_cast<uint32_t>(params_of(x)[0].u.value.a);
        // Header first: the size of the whole reply depends on it.
        if (optee_msg_get_arg_size(g->num_params) > kNoncontigPageSize) {
          x->ret = kTeeErrorGeneric;
        } else {
          std::memcpy(x, g, optee_msg_get_arg_size(g->num_params));
          m.cost_.charge(platform::Cost::kMediatorCopyPage);
          switch (x->cmd) {
            case OPTEE_RPC_CMD_SHM_ALLOC:
              handle_rpc_cmd_alloc(c, *s, shm_type);
              if (c.xen_shm_free) {
                // Back to the guest with Xen's own SHM_FREE request, same thread, same buffer.
                c.rpc_op = OPTEE_SMC_RPC_FUNC_CMD;
                c.optee_thread_id = thread_id;
                regs.a[0] = rpc_val(OPTEE_SMC_RPC_FUNC_CMD);
                regs.a[1] = c.rpc_params[0];
                regs.a[2] = c.rpc_params[1];
                regs.a[3] = static_cast<uint64_t>(thread_id);
                return put_std_call(&c);
              }
              break;
            case OPTEE_RPC_CMD_SHM_FREE:
              free_shm_buf(params_of(x)[0].u.value.b);
              if (c.rpc_data_cookie == params_of(x)[0].u.value.b) c.rpc_data_cookie = 0;
              break;
            default:
              break;
          }
        }
      }
    }
    SmcRegs r = resume_regs(c);
    r.a[3] = static_cast<uint64_t>(thread_id);
    do_call(c, regs, r);
  }

  void handle_rpc(SmcRegs& regs) {
    const int thread_id = static_cast<int>(regs.a[3]);
    StdCall* c = get_std_call(thread_id);
    if (!c) {
      regs.a[0] = OPTEE_SMC_RETURN_ERESUME;
      return;
    }
    // OP-TEE may hand this thread id to a new call as soon as this one ends.
    c->optee_thread_id = -1;
    switch (c->rpc_op) {
      case OPTEE_SMC_RPC_FUNC_ALLOC:
        return handle_rpc_func_alloc(*c, regs, thread_id);
      case OPTEE_SMC_RPC_FUNC_FREE:
        free_shm_rpc(pair(c->rpc_params[0], c->rpc_params[1]));
        break;
      case OPTEE_SMC_RPC_FUNC_CMD:
        return handle_rpc_cmd(*c, regs, thread_id);
      default:  // FOREIGN_INTR: the guest took its interrupt
        break;
    }
    SmcRegs r = resume_regs(*c, c->rpc_params[0], c->rpc_params[1]);
    r.a[3] = static_cast<uint64_t>(thread_id);
    do_call(*c, regs, r);
  }

  void forward(SmcRegs& regs, int results) {
    SmcRegs r;
    r.a[0] = regs.a[0];
    r.a[1] = regs.a[1];
    call_optee(r);
    for (int i = 0; i < results; ++i) regs.a[i] = r.a[i];
  }

  void exchange_capabilities(SmcRegs& regs) {
    SmcRegs r;
    r.a[0] = OPTEE_SMC_EXCHANGE_CAPABILITIES;
    r.a[1] = regs.a[1] & kKnownNsecCaps;
    call_optee(r);
    if (r.a[0] != OPTEE_SMC_RETURN_OK) {
      regs.a[0] = r.a[0];
      return;
    }
    uint64_t caps = r.a[1] & kKnownSecCaps;
    caps &= ~uint64_t{OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM};  // no static shm for guests
    if (!(caps & OPTEE_SMC_SEC_CAP_DYNAMIC_SHM)) {
      regs.a[0] = OPTEE_SMC_RETURN_ENOTAVAIL;
      return;
    }
    regs.a[0] = OPTEE_SMC_RETURN_OK;
    regs.a[1] = caps;
    regs.a[2] = 0;
    regs.a[3] = 0;
  }
};

OpteeMediator::OpteeMediator(platform::PhysMem& mem, platform::SmcConduit& optee,
                             const platform::CostModel& cost, MediatorLimits limits)
    : mem_(mem), optee_(optee), cost_(cost), limits_(limits) {}

std::string OpteeMediator::probe() {
  SmcRegs r;
  r.a[0] = OPTEE_SMC_CALLS_UID;
  optee_.smc(r);
  for (int i = 0; i < 4; ++i)
    if (r.a[i] != kOpteeMsgUid[i]) return "the secure world is not OP-TEE (CALLS_UID)";
  r = SmcRegs{};
  r.a[0] = OPTEE_SMC_GET_THREAD_COUNT;
  optee_.smc(r);
  if (r.a[0] != OPTEE_SMC_RETURN_OK) return "OP-TEE does not answer GET_THREAD_COUNT";
  max_optee_threads_ = static_cast<uint32_t>(r.a[1]);
  r = SmcRegs{};
  r.a[0] = OPTEE_SMC_VM_DESTROYED;
  optee_.smc(r);
  if (r.a[0] == OPTEE_SMC_RETURN_UNKNOWN_FUNCTION)
    return "OP-TEE was built without virtualization (VM_DESTROYED unknown): set "
           "CFG_NS_VIRTUALIZATION=y";
  return {};
}

int OpteeMediator::domain_init(Domain& d) {
  SmcRegs r;
  r.a[0] = OPTEE_SMC_VM_CREATED;
  r.a[1] = optee_client_id(d);
  r.a[7] = 0;  // from the hypervisor
  optee_.smc(r);
  if (r.a[0] != OPTEE_SMC_RETURN_OK) return -ENODEV;
  d.tee = std::make_unique<OpteeDomain>();
  return 0;
}

void OpteeMediator::relinquish_resources(Domain& d) {
  if (!d.tee) return;
  Impl im{*this, d, *d.tee};
  OpteeDomain& ctx = *d.tee;
  std::list<std::unique_ptr<StdCall>> calls;
  std::vector<uint64_t> rpcs, bufs;
  {
    std::lock_guard g(ctx.lock);
    calls.swap(ctx.calls);
    for (const auto& [ck, r] : ctx.rpcs) rpcs.push_back(ck);
    for (const auto& [ck, b] : ctx.bufs) bufs.push_back(ck);
  }
  for (auto& c : calls)
    if (c->xen_arg_pa) im.free_xen_page(c->xen_arg_pa);
  for (uint64_t ck : rpcs) im.free_shm_rpc(ck);
  for (uint64_t ck : bufs) im.free_shm_buf(ck);
  SmcRegs r;
  r.a[0] = OPTEE_SMC_VM_DESTROYED;
  r.a[1] = optee_client_id(d);
  optee_.smc(r);
  d.tee.reset();
}

bool OpteeMediator::handle_call(Domain& d, SmcRegs& regs) {
  if (!d.tee) return false;
  Impl im{*this, d, *d.tee};
  switch (static_cast<uint32_t>(regs.a[0])) {
    case OPTEE_SMC_CALLS_COUNT:
      regs.a[0] = kOpteeMediatorSmcCount;
      return true;
    case OPTEE_SMC_CALLS_UID:
    case OPTEE_SMC_CALL_GET_OS_UUID:
      im.forward(regs, 4);
      return true;
    case OPTEE_SMC_CALLS_REVISION:
      im.forward(regs, 2);
      return true;
    case OPTEE_SMC_CALL_GET_OS_REVISION:
      im.forward(regs, 3);
      return true;
    case OPTEE_SMC_ENABLE_SHM_CACHE:
      im.forward(regs, 1);
      return true;
    case OPTEE_SMC_DISABLE_SHM_CACHE:
      im.forward(regs, 3);
      if (regs.a[0] == OPTEE_SMC_RETURN_OK) im.free_shm_rpc(pair(regs.a[1], regs.a[2]));
      return true;
    case OPTEE_SMC_GET_SHM_CONFIG:
      regs.a[0] = OPTEE_SMC_RETURN_ENOTAVAIL;  // no static shm for guests
      return true;
    case OPTEE_SMC_EXCHANGE_CAPABILITIES:
      im.exchange_capabilities(regs);
      return true;
    case OPTEE_SMC_CALL_WITH_ARG:
      im.handle_std_call(regs);
      return true;
    case OPTEE_SMC_CALL_RETURN_FROM_RPC:
      im.handle_rpc(regs);
      return true;
    default:
      counters_.rejected++;
      return false;
  }
}

DomainTeeState OpteeMediator::state(const Domain& d) const {
  DomainTeeState s;
  if (!d.tee) return s;
  std::lock_guard g(d.tee->lock);
  s.calls = static_cast<uint32_t>(d.tee->calls.size());
  s.shm_buffers = static_cast<uint32_t>(d.tee->bufs.size());
  s.shm_pages = d.tee->buf_pages;
  s.rpc_buffers = static_cast<uint32_t>(d.tee->rpcs.size());
  for (const auto& [ck, b] : d.tee->bufs) s.pinned_pages += b.pages.size();
  s.pinned_pages += s.rpc_buffers;
  return s;
}

}  // namespace emu::xen
