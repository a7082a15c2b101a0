// The TAs linked into the emulated OP-TEE. All entries share the benchmark TA's code; the variants
// differ only in instance flags, which is what the manager's serialisation depends on.
#include <bench_ta.h>

#include <cstring>

#include "emu/optee_os/tee_ta_manager.h"

namespace emu::optee_os {
namespace {

constexpr TaInfo kTas[] = {
    {TA_BENCH_UUID, TA_FLAG_MULTI_SESSION, "bench"},
    {TA_BENCH_SINGLE_UUID, TA_FLAG_SINGLE_INSTANCE | TA_FLAG_MULTI_SESSION, "bench-single"},
    {TA_BENCH_CONCURRENT_UUID, TA_FLAG_SINGLE_INSTANCE | TA_FLAG_MULTI_SESSION | TA_FLAG_CONCURRENT,
     "bench-concurrent"},
};

}  // namespace

const TaInfo* find_ta(const TEE_UUID& uuid) {
  for (const auto& ta : kTas)
    if (std::memcmp(&ta.uuid, &uuid, sizeof(uuid)) == 0) return &ta;
  return nullptr;
}

}  // namespace emu::optee_os
