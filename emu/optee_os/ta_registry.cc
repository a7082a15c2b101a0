// The TAs linked into the emulated OP-TEE. All entries share the benchmark TA's code; the variants
// differ only in instance flags, which is what the manager's serialisation depends on.
#include <bench_ta.h>

#include <cstring>

#include "emu/optee_os/tee_ta_manager.h"

namespace emu::optee_os {
namespace {

// The kinds of bench_ta.h, flagged as ta/user_ta_header_defines.h flags them for the dev kit.
constexpr TaInfo kTas[] = {
    {TA_BENCH_UUID, TA_FLAG_MULTI_SESSION, "bench"},
    {TA_BENCH_SINGLE_INSTANCE_UUID, TA_FLAG_SINGLE_INSTANCE, "bench-single-instance"},
    {TA_BENCH_MULTI_SESSION_UUID, TA_FLAG_SINGLE_INSTANCE | TA_FLAG_MULTI_SESSION,
     "bench-multi-session"},
    {TA_BENCH_KEEP_ALIVE_UUID,
     TA_FLAG_SINGLE_INSTANCE | TA_FLAG_MULTI_SESSION | TA_FLAG_INSTANCE_KEEP_ALIVE,
     "bench-keep-alive"},
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
