// Test support: an emulated machine with one client process, and raw UAPI helpers for tests that
// must send what the client library never would (bad sizes, extra params, META bits).
#pragma once

#include <bench_ta.h>
#include <gtest/gtest.h>
#include <linux/tee.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "emu/machine.h"
#include "targets/emu/emu_device.h"
#include "teebench/tee/context.h"
#include "teebench/tee/session.h"

namespace testing_support {

inline emu::EmuConfig config(std::initializer_list<const char*> settings = {}) {
  emu::EmuConfig cfg;
  cfg.mem.ns_ddr_size = size_t{64} << 20;  // small and quick to set up
  for (const char* s : settings) {
    const std::string e = emu::apply_setting(cfg, s);
    if (!e.empty()) ADD_FAILURE() << e;
  }
  return cfg;
}

// A client process on `machine`, in `kernel` (a guest's under Xen; the machine's first if null),
// with an open context.
struct Client {
  Client(const std::shared_ptr<emu::Machine>& machine, std::shared_ptr<emu::Kernel> kernel)
      : dev(std::make_unique<targets::EmuDevice>(machine, std::move(kernel))),
        ctx(std::make_unique<client::Context>(*dev)) {
    std::string why;
    const auto r = ctx->open(&why);
    EXPECT_TRUE(r.ok()) << why;
  }
  client::Session open_bench() {
    client::Session s;
    const auto r = client::Session::open(*ctx, client::bench_ta_uuid(), &s);
    EXPECT_TRUE(r.ok()) << client::to_string(r);
    return s;
  }
  std::unique_ptr<targets::EmuDevice> dev;
  std::unique_ptr<client::Context> ctx;
};

struct MachineOwner {
  std::shared_ptr<emu::Machine> machine;
};

// An emulated machine and one client process on it (the machine outlives the client).
struct EmuStack : MachineOwner, Client {
  explicit EmuStack(const emu::EmuConfig& cfg = config(),
                    const emu::Machine::Interposer& interposer = {})
      : MachineOwner{std::make_shared<emu::Machine>(cfg, interposer)}, Client(machine, nullptr) {}
};

// Secure threads currently SUSPENDED (in an RPC, or waiting in the secure world).
inline size_t suspended_count(const emu::optee_os::ThreadPool& threads) {
  size_t n = 0;
  for (auto st : threads.states()) n += st == emu::optee_os::ThreadState::kSuspended;
  return n;
}

// Waits (bounded, 5 s) until at least `n` secure threads are SUSPENDED.
inline bool wait_for_suspended(const emu::optee_os::ThreadPool& threads, size_t n = 1) {
  for (int i = 0; i < 5000; ++i) {
    if (suspended_count(threads) >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

// An invoke/open ioctl buffer with any number of params.
template <typename Arg>
struct RawCall {
  explicit RawCall(size_t nparams) : bytes(sizeof(Arg) + nparams * sizeof(tee_ioctl_param) + 8, 0) {
    arg()->num_params = static_cast<uint32_t>(nparams);
  }
  Arg* arg() { return reinterpret_cast<Arg*>(bytes.data()); }
  tee_ioctl_param* params() {
    return reinterpret_cast<tee_ioctl_param*>(bytes.data() + sizeof(Arg));
  }
  tee_ioctl_buf_data buf(size_t len_adjust = 0) {
    return {reinterpret_cast<uintptr_t>(bytes.data()),
            sizeof(Arg) + arg()->num_params * sizeof(tee_ioctl_param) + len_adjust};
  }
  std::vector<uint8_t> bytes;
};

inline int raw_invoke(client::Context& ctx, RawCall<tee_ioctl_invoke_arg>& c, size_t adjust = 0) {
  auto b = c.buf(adjust);
  return ctx.device().ioctl(ctx.fd(), TEE_IOC_INVOKE, &b);
}

inline int raw_open(client::Context& ctx, RawCall<tee_ioctl_open_session_arg>& c,
                    const client::Uuid& uuid, uint32_t login = TEE_IOCTL_LOGIN_PUBLIC) {
  std::memcpy(c.arg()->uuid, uuid.octets.data(), 16);
  c.arg()->clnt_login = login;
  auto b = c.buf();
  return ctx.device().ioctl(ctx.fd(), TEE_IOC_OPEN_SESSION, &b);
}

}  // namespace testing_support
