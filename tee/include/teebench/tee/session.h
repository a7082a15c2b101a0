// A session with a TA: open (PUBLIC or USER login), invoke, cancel, close.
#pragma once

#include <cstdint>

#include "teebench/tee/context.h"
#include "teebench/tee/params.h"
#include "teebench/tee/result.h"
#include "teebench/tee/uuid.h"

namespace client {

enum class Login : uint32_t { kPublic = 0, kUser = 1 };

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
  Result cancel(uint32_t cancel_id);
  Result close();

  bool is_open() const { return ctx_ != nullptr; }
  uint32_t id() const { return id_; }

 private:
  Context* ctx_ = nullptr;
  uint32_t id_ = 0;
};

}  // namespace client
