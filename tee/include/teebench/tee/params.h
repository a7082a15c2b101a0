// Typed parameters of an open-session or invoke call: up to 4, as the GP Client API carries them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "teebench/tee/shared_memory.h"

namespace client {

enum class Dir : uint8_t { kIn, kOut, kInOut };

class Param {
 public:
  enum class Type : uint8_t { kNone, kValue, kMemref, kMemrefNull, kTmpref };

  static Param none() { return {}; }
  static Param value(Dir dir, uint32_t a = 0, uint32_t b = 0);
  // A whole or partial reference to shared memory of either kind.
  static Param memref(Dir dir, const SharedMemory& shm, size_t offset, size_t size);
  static Param memref(Dir dir, const SharedMemory& shm) { return memref(dir, shm, 0, shm.size()); }
  // A temporary reference to the caller's buffer, registered around this one call as libteec
  // does for TEEC_TempMemoryReference (zero copy where registration works, else a shadow copy).
  static Param tmpref(Dir dir, void* buffer, size_t size);

  Type type() const { return type_; }
  Dir dir() const { return dir_; }
  // Outputs, valid after the call: value a/b, or the size the TA reported for a memref.
  uint32_t a() const { return a_; }
  uint32_t b() const { return b_; }
  size_t size() const { return size_; }

 private:
  friend class Session;
  friend struct ParamMarshal;
  Type type_ = Type::kNone;
  Dir dir_ = Dir::kIn;
  uint32_t a_ = 0;
  uint32_t b_ = 0;
  const SharedMemory* shm_ = nullptr;
  void* buffer_ = nullptr;
  size_t offset_ = 0;
  size_t size_ = 0;
};

struct Operation {
  std::array<Param, 4> params{};
};

}  // namespace client
