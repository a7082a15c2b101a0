#include "workloads/client.h"

#include "teebench/tee/bench_ocall.h"

#include <bench_ta.h>

#include "workloads/script.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace workloads {

using client::Dir;
using client::Operation;
using client::Param;

std::vector<std::string> stat_names(const OpSpec& op) {
  if (op.kind == OpKind::kShmChurn) {
    const std::string a = op.memory == Memory::kStatic ? "alloc" : "register";
    const std::string f = op.memory == Memory::kStatic ? "free" : "unregister";
    return {"shm_churn." + a, "shm_churn.use", "shm_churn." + f};
  }
  return {op.name};
}

const char* error_kind(const client::Result& r) {
  if (r.err) {
    const char* n = strerrorname_np(r.err);
    return n ? n : "EUNKNOWN";
  }
  return client::teec_name(r.code);
}

client::Result open_bench_session(client::Context& ctx, const GroupSpec& g, client::Session* out,
                                  std::string* why) {
  const client::Uuid uuid = client::bench_ta_uuid(g.ta);
  const auto r = client::Session::open(ctx, uuid, g.login, nullptr, out);
  if (r.ok() || !why) return r;
  *why = "cannot open a session with the " + std::string(client::to_string(g.ta)) +
         " benchmark TA (" + client::to_string(r) + ")";
  if (r.code == client::kTeecErrorItemNotFound)
    *why += ": is " + uuid.to_string() + ".ta installed? (docs/ta.md)";
  else if (r.code == client::kTeecErrorBusy)
    *why += ": a TA without MULTI_SESSION takes one session at a time (docs/ta.md)";
  return r;
}

ClientProcess::ClientProcess(targets::Target& stack, const GroupSpec& g)
    : dev_(stack.new_client(g.guest)), ctx_(std::make_unique<client::Context>(*dev_)) {
  const bool script_opens = g.script && g.script->opens_context;
  if (script_opens) return;
  std::string why;
  if (!ctx_->open(&why).ok()) throw std::runtime_error(why);
  if (g.shared_session && !open_bench_session(*ctx_, g, &session_, &why).ok())
    throw std::runtime_error(why);
}

ClientProcess::~ClientProcess() {
  session_.close();
  ctx_->close();
}

Client::Client(targets::Target& stack, const GroupSpec& g, std::shared_ptr<ClientProcess> process,
               uint64_t seed)
    : stack_(stack),
      group_(g),
      guest_(g.guest),
      process_(std::move(process)),
      mix_(g.mix),
      buffers_(g.mix.size()),
      rng_(seed) {
  const bool opens_context = g.script && g.script->opens_context;
  const bool opens_session = g.script && g.script->starts_without_session();
  std::string why;
  if (!g.shared_session && !opens_session && !open_bench_session(ctx(), g, &session_, &why).ok())
    throw std::runtime_error(why);
  if (!g.script) {
    std::vector<double> weights;
    for (const auto& op : mix_) weights.push_back(op.weight);
    pick_ = std::discrete_distribution<size_t>(weights.begin(), weights.end());
  }
  if (!opens_context) prepare_all();
}

void Client::prepare_all() {
  for (size_t i = 0; i < mix_.size(); ++i) prepare(mix_[i], buffers_[i]);
}

Client::~Client() = default;

size_t Client::pick(const std::vector<OpSpec>&) { return mix_.size() == 1 ? 0 : pick_(rng_); }

void Client::prepare(const OpSpec& op, Buffers& b) {
  if (op.sizes.empty()) return;
  const uint64_t max = *std::max_element(op.sizes.begin(), op.sizes.end());
  try {
    if (op.kind == OpKind::kShmChurn) {
      if (op.memory == Memory::kRegistered) b.user = client::UserBuffer(process_->device(), max);
      b.ready = true;
      return;
    }
    switch (op.memory) {
      case Memory::kStatic: {
        const auto r = client::SharedMemory::allocate(ctx(), max, &b.shm);
        if (!r.ok()) b.setup_error = error_kind(r);
        break;
      }
      case Memory::kRegistered: {
        b.user = client::UserBuffer(process_->device(), max);
        const auto r = client::SharedMemory::register_memory(ctx(), b.user.data(), max, &b.shm);
        if (!r.ok()) b.setup_error = error_kind(r);
        break;
      }
      case Memory::kTmpref:
        b.user = client::UserBuffer(process_->device(), max);
        break;
      case Memory::kCopy: {
        b.host.assign(max, 0x5a);
        const auto r = client::SharedMemory::allocate(ctx(), max, &b.shm);
        if (!r.ok()) b.setup_error = error_kind(r);
        break;
      }
    }
  } catch (const std::bad_alloc&) {
    b.setup_error = "ENOMEM";
  }
  b.ready = b.setup_error.empty();
}

client::Result Client::invoke_memref(const OpSpec& op, Buffers& b, uint64_t size) {
  const bool read = op.kind == OpKind::kMemrefRead;
  const uint32_t cmd = read ? TA_BENCH_CMD_MEMREF_READ : TA_BENCH_CMD_MEMREF_WRITE;
  Operation o;
  o.params[1] = Param::value(read ? Dir::kOut : Dir::kIn, 1);
  const Dir dir = read ? Dir::kIn : Dir::kOut;
  switch (op.memory) {
    case Memory::kStatic:
    case Memory::kRegistered:
      o.params[0] = Param::memref(dir, b.shm, 0, size);
      return session().invoke(cmd, &o);
    case Memory::kTmpref:
      o.params[0] = Param::tmpref(dir, b.user.data(), size);
      return session().invoke(cmd, &o);
    case Memory::kCopy: {
      // Bounce through an allocated buffer: the copy is part of the cost being measured.
      if (read) std::memcpy(b.shm.data(), b.host.data(), size);
      o.params[0] = Param::memref(dir, b.shm, 0, size);
      const auto r = session().invoke(cmd, &o);
      if (!read && r.ok()) std::memcpy(b.host.data(), b.shm.data(), size);
      return r;
    }
  }
  return {};
}

void Client::shm_churn(const OpSpec& op, Buffers& b, uint64_t size, const measure::Clock& clock,
                       bool record, std::vector<OpStats*>& stats) {
  client::SharedMemory shm;
  uint64_t t0 = clock.now();
  const auto r = op.memory == Memory::kStatic
                     ? client::SharedMemory::allocate(ctx(), size, &shm)
                     : client::SharedMemory::register_memory(ctx(), b.user.data(), size, &shm);
  uint64_t t1 = clock.now();
  if (!r.ok()) {
    if (record) stats[0]->error(error_kind(r));
    return;
  }
  if (record) stats[0]->ok(clock.to_ns(t1 - t0));
  Operation o;
  o.params[0] = Param::memref(Dir::kIn, shm, 0, size);
  o.params[1] = Param::value(Dir::kOut);
  const auto u = session().invoke(TA_BENCH_CMD_MEMREF_READ, &o);
  const uint64_t t2 = clock.now();
  if (record) {
    if (u.ok())
      stats[1]->ok(clock.to_ns(t2 - t1));
    else
      stats[1]->error(error_kind(u));
  }
  shm.release();  // unregister (registered) or free back to the pool (static)
  const uint64_t t3 = clock.now();
  if (record) stats[2]->ok(clock.to_ns(t3 - t2));
}

void Client::run(size_t i, const measure::Clock& clock, uint64_t start, bool record,
                 std::vector<OpStats*>& stats) {
  const OpSpec& op = mix_[i];
  Buffers& b = buffers_[i];
  const uint64_t size = op.sizes.empty()       ? 0
                        : op.sizes.size() == 1 ? op.sizes[0]
                                               : op.sizes[rng_() % op.sizes.size()];
  if (!op.sizes.empty() && !b.ready) {
    // The memory this client needed could not be set up (e.g. the carve-out is exhausted).
    if (record) stats[0]->error(b.setup_error.empty() ? "ENOMEM" : b.setup_error.c_str());
    return;
  }
  if (op.kind == OpKind::kShmChurn) return shm_churn(op, b, size, clock, record, stats);

  client::Result r;
  Operation o;
  switch (op.kind) {
    case OpKind::kOpenClose: {
      client::Session s;
      r = open_bench_session(ctx(), group_, &s);
      if (r.ok()) r = s.close();
      break;
    }
    case OpKind::kContextOpen:
    case OpKind::kContextClose:
    case OpKind::kSessionOpen:
    case OpKind::kSessionClose:
      return lifecycle(op, clock, start, record, stats[0]);
    case OpKind::kNop:
      r = session().invoke(TA_BENCH_CMD_NOP);
      break;
    case OpKind::kValue:
      o.params[0] = Param::value(Dir::kInOut, 1, 2);
      r = session().invoke(TA_BENCH_CMD_VALUE, &o);
      break;
    case OpKind::kMemrefRead:
    case OpKind::kMemrefWrite:
      r = invoke_memref(op, b, size);
      break;
    case OpKind::kHold:
      o.params[0] = Param::value(Dir::kIn, op.hold_us);
      r = session().invoke(TA_BENCH_CMD_HOLD, &o);
      break;
    case OpKind::kWait:
      o.params[0] = Param::value(Dir::kIn, op.wait_ms);
      r = session().invoke(TA_BENCH_CMD_WAIT, &o);
      break;
    case OpKind::kOcall:
      o.params[0] = Param::value(Dir::kIn, op.bytes, op.calls);
      o.params[1] = Param::value(Dir::kOut);
      r = session().invoke(TA_BENCH_CMD_OCALL, &o,
                           [&n = process_->ocall_handlers(), us = op.handler_us](
                               uint32_t cmd, std::span<client::OcallParam> p) {
                             n.fetch_add(1, std::memory_order_relaxed);
                             const uint32_t res = client::bench_ocall_handler(cmd, p);
                             if (us) std::this_thread::sleep_for(std::chrono::microseconds(us));
                             n.fetch_sub(1, std::memory_order_relaxed);
                             return res;
                           });
      if (r.ok() && o.params[1].a() != op.calls)
        r = client::Result::teec(client::kTeecErrorGeneric, 0);
      break;
    case OpKind::kPlugin:
      o.params[0] = Param::value(Dir::kIn, op.bytes, op.calls);
      o.params[1] = Param::value(Dir::kOut);
      r = session().invoke(TA_BENCH_CMD_PLUGIN, &o);
      if (r.ok() && o.params[1].a() != op.calls)
        r = client::Result::teec(client::kTeecErrorGeneric, 0);
      break;
    case OpKind::kOcallCrash:
      r = ocall_crash(op);
      break;
    case OpKind::kShmChurn:
    case OpKind::kTransaction:  // recorded by the worker around a whole iteration
      break;
  }
  const uint64_t end = clock.now();
  if (!record) return;
  if (process_->killed())
    stats[0]->error("killed");
  else if (r.ok())
    stats[0]->ok(clock.to_ns(end - start));
  else
    stats[0]->error(error_kind(r));
}

// TEEC_InitializeContext / FinalizeContext and TEEC_OpenSession / CloseSession, timed alone: the
// buffers the context backs are set up after its open and released before its close, untimed.
void Client::lifecycle(const OpSpec& op, const measure::Clock& clock, uint64_t start, bool record,
                       OpStats* stats) {
  client::Result r;
  uint64_t end = 0;
  switch (op.kind) {
    case OpKind::kContextOpen:
      r = ctx().open();
      end = clock.now();
      if (r.ok()) prepare_all();
      break;
    case OpKind::kContextClose:
      for (auto& b : buffers_) b = Buffers{};
      start = clock.now();  // scripts run closed loop: the call starts now
      ctx().close();
      end = clock.now();
      break;
    case OpKind::kSessionOpen:
      r = open_bench_session(ctx(), group_, &session_);
      end = clock.now();
      break;
    default:  // kSessionClose
      r = session_.close();
      end = clock.now();
      break;
  }
  if (!record) return;
  if (process_->killed())
    stats->error("killed");
  else if (r.ok())
    stats->ok(clock.to_ns(end - start));
  else
    stats->error(error_kind(r));
}

// A client process of its own, killed inside its OCALL handler while its invocation holds a
// registered tmpref; the op lasts until the process is gone (its fds released). Success means the
// death was clean: the invocation failed and the process exit returned.
client::Result Client::ocall_crash(const OpSpec& op) {
  if (!stack_.capabilities().kill_client) return client::Result::from_errno(ENOTSUP);
  auto dev = stack_.new_client(guest_);
  client::Context ctx(*dev);
  std::string why;
  if (!ctx.open(&why).ok()) return client::Result::from_errno(ENODEV);
  client::Session s;
  if (auto r = open_bench_session(ctx, group_, &s); !r.ok()) return r;
  std::vector<uint8_t> held(op.bytes ? op.bytes : 1);
  Operation o;
  o.params[0] = Param::value(Dir::kIn, 0, 1);
  o.params[1] = Param::value(Dir::kOut);
  o.params[2] = Param::tmpref(Dir::kIn, held.data(), held.size());
  const auto r = s.invoke(TA_BENCH_CMD_OCALL, &o,
                          [this, &dev](uint32_t, std::span<client::OcallParam>) -> uint32_t {
                            stack_.kill_client(*dev);
                            return 0;
                          });
  if (r.ok()) return client::Result::teec(client::kTeecErrorGeneric, 0);  // it should have died
  return {};
}

}  // namespace workloads
