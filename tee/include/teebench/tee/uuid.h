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

// The benchmark TA and its instance-flag variants (ta/include/bench_ta.h).
Uuid bench_ta_uuid();
Uuid bench_ta_single_instance_uuid();
Uuid bench_ta_concurrent_uuid();

}  // namespace client
