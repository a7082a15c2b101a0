// A TA UUID in the octet order the TEE UAPI carries (RFC 4122 string order).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace client {

struct Uuid {
  std::array<uint8_t, 16> octets{};
  // From the GP/TEE_UUID layout {timeLow, timeMid, timeHiAndVersion, clockSeqAndNode[8]}.
  static Uuid from_fields(uint32_t time_low, uint16_t time_mid, uint16_t time_hi,
                          const std::array<uint8_t, 8>& clock_seq_and_node);
  static std::optional<Uuid> parse(const std::string& text);
  std::string to_string() const;
};

// The benchmark TA's kinds: one code, other GP instance flags, each its own UUID
// (ta/include/bench_ta.h, docs/ta.md).
enum class BenchTa : uint8_t {
  kMultiInstance,   // one instance per session (the default)
  kSingleInstance,  // one instance, one session at a time (a second open is TEE_ERROR_BUSY)
  kMultiSession,    // one instance, many sessions, entries serialised on it
  kKeepAlive,       // kMultiSession that outlives its last session
  kConcurrent,      // kMultiSession whose entries run in parallel
};
Uuid bench_ta_uuid(BenchTa kind = BenchTa::kMultiInstance);
// The kind's name as workloads spell it ("multi_instance", ...), and back (nullopt if unknown).
const char* to_string(BenchTa kind);
std::optional<BenchTa> parse_bench_ta(const std::string& name);

}  // namespace client
