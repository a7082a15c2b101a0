// A session with a TA: open (PUBLIC or USER login), invoke, cancel, close.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "teebench/tee/context.h"
#include "teebench/tee/params.h"
#include "teebench/tee/result.h"
#include "teebench/tee/uuid.h"

namespace client {

enum class Login : uint32_t { kPublic = 0, kUser = 1 };

// One parameter of an OCALL as the client's handler sees it: a value pair, or a buffer the TA
// shares for the call (read and written in place).
struct OcallParam {
  enum class Kind { kNone, kValue, kBuffer } kind = Kind::kNone;
  bool in = false;   // the TA sends it
  bool out = false;  // the TA wants it back
  uint32_t a = 0, b = 0;
  uint8_t* data = nullptr;
  size_t size = 0;
};
// Serves one OCALL: the TA's command and its params. Its result goes back to the TA as the
// CA's result (origin TEEC_ORIGIN_CLIENT_APP).
using OcallHandler = std::function<uint32_t(uint32_t cmd, std::span<OcallParam> params)>;
// TEEC_ORIGIN_CLIENT_APP of the OCALL series (teebench's number; not in the reference).
inline constexpr uint32_t kTeecOriginClientApp = 5;

class Session {
 public:
  Session() = default;
  ~Session() { close(); }
  Session(Session&& o) noexcept { *this = std::move(o); }
  Session& operator=(Session&& o) noexcept;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  static Result open(Context& ctx, const Uuid& uuid, Login login, Operation* op, Session* out);
  static Result open(Context& ctx, const Uuid& uuid, Session* out) {
    return open(ctx, uuid, Login::kPublic, nullptr, out);
  }
  // TEE_IOC_INVOKE with exactly 4 parameters, as libteec sends them.
  Result invoke(uint32_t cmd, Operation* op = nullptr, uint32_t cancel_id = 0);
  // The same with OCALLs: the TA may call `handler` (on this thread) any number of times before the
  // invocation ends. Needs a device with the OCALL protocol (Context::ocall()); three params, the
  // fourth slot carries the OCALL descriptor.
  Result invoke(uint32_t cmd, Operation* op, const OcallHandler& handler);
  Result cancel(uint32_t cancel_id);
  Result close();

  bool is_open() const { return ctx_ != nullptr; }
  uint32_t id() const { return id_; }

 private:
  Context* ctx_ = nullptr;
  uint32_t id_ = 0;
};

}  // namespace client
