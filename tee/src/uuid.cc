#include "teebench/tee/uuid.h"

#include <bench_ta.h>

#include <cstdio>

namespace client {

Uuid Uuid::from_fields(uint32_t time_low, uint16_t time_mid, uint16_t time_hi,
                       const std::array<uint8_t, 8>& clock_seq_and_node) {
  Uuid u;
  u.octets = {static_cast<uint8_t>(time_low >> 24), static_cast<uint8_t>(time_low >> 16),
              static_cast<uint8_t>(time_low >> 8),  static_cast<uint8_t>(time_low),
              static_cast<uint8_t>(time_mid >> 8),  static_cast<uint8_t>(time_mid),
              static_cast<uint8_t>(time_hi >> 8),   static_cast<uint8_t>(time_hi)};
  for (size_t i = 0; i < 8; ++i) u.octets[8 + i] = clock_seq_and_node[i];
  return u;
}

std::optional<Uuid> Uuid::parse(const std::string& s) {
  Uuid u;
  size_t o = 0;
  for (size_t i = 0; i < s.size() && o < 16;) {
    if (s[i] == '-') {
      ++i;
      continue;
    }
    unsigned v = 0;
    if (i + 1 >= s.size() || std::sscanf(s.c_str() + i, "%2x", &v) != 1) return std::nullopt;
    u.octets[o++] = static_cast<uint8_t>(v);
    i += 2;
  }
  if (o != 16) return std::nullopt;
  return u;
}

std::string Uuid::to_string() const {
  char b[37];
  const auto& x = octets;
  std::snprintf(b, sizeof(b),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", x[0], x[1],
                x[2], x[3], x[4], x[5], x[6], x[7], x[8], x[9], x[10], x[11], x[12], x[13], x[14],
                x[15]);
  return b;
}

namespace {
struct GpUuid {
  uint32_t time_low;
  uint16_t time_mid;
  uint16_t time_hi;
  std::array<uint8_t, 8> node;
};
Uuid from_gp(const GpUuid& g) {
  return Uuid::from_fields(g.time_low, g.time_mid, g.time_hi, g.node);
}
}  // namespace

Uuid bench_ta_uuid() { return from_gp(GpUuid TA_BENCH_UUID); }
Uuid bench_ta_single_instance_uuid() { return from_gp(GpUuid TA_BENCH_SINGLE_UUID); }
Uuid bench_ta_concurrent_uuid() { return from_gp(GpUuid TA_BENCH_CONCURRENT_UUID); }

}  // namespace client
