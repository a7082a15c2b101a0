#include "teebench/tee/uuid.h"

#include <bench_ta.h>

#include <cstdio>
#include <utility>

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

Uuid bench_ta_uuid(BenchTa kind) {
  switch (kind) {
    case BenchTa::kMultiInstance:
      break;
    case BenchTa::kSingleInstance:
      return from_gp(GpUuid TA_BENCH_SINGLE_INSTANCE_UUID);
    case BenchTa::kMultiSession:
      return from_gp(GpUuid TA_BENCH_MULTI_SESSION_UUID);
    case BenchTa::kKeepAlive:
      return from_gp(GpUuid TA_BENCH_KEEP_ALIVE_UUID);
    case BenchTa::kConcurrent:
      return from_gp(GpUuid TA_BENCH_CONCURRENT_UUID);
  }
  return from_gp(GpUuid TA_BENCH_UUID);
}

namespace {
constexpr std::pair<BenchTa, const char*> kBenchTaNames[] = {
    {BenchTa::kMultiInstance, "multi_instance"}, {BenchTa::kSingleInstance, "single_instance"},
    {BenchTa::kMultiSession, "multi_session"},   {BenchTa::kKeepAlive, "keep_alive"},
    {BenchTa::kConcurrent, "concurrent"},
};
}  // namespace

const char* to_string(BenchTa kind) {
  for (const auto& [k, n] : kBenchTaNames)
    if (k == kind) return n;
  return "multi_instance";
}

std::optional<BenchTa> parse_bench_ta(const std::string& name) {
  for (const auto& [k, n] : kBenchTaNames)
    if (name == n) return k;
  return std::nullopt;
}

}  // namespace client
