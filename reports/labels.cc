#include "reports/labels.h"

#include <fmt/core.h>

#include <algorithm>
#include <array>

namespace reports {
namespace {

// The label names teebench's own series carry (metrics/families.cc) and those Prometheus and the
// Pushgateway give a meaning to: a user label of the same name would be overwritten or would
// change what a series means.
constexpr std::array<std::string_view, 24> kReserved = {
    "scenario",         "case",         "group",          "op",      "guest",    "target",
    "profile",          "result",       "state",          "verdict", "outcome",  "client",
    "reason",           "le",           "quantile",       "job",     "instance", "run_id",
    "teebench_version", "git_revision", "optee_revision", "status",  "workload", "kernel"};

bool valid_name(std::string_view n) {
  if (n.empty()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(n[0])) return false;
  return std::all_of(n.begin(), n.end(),
                     [&](char c) { return alpha(c) || (c >= '0' && c <= '9'); });
}

// Well-formed UTF-8 without control characters (RFC 3629: no overlong forms, no surrogates).
bool valid_text(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return false;
    size_t n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : 9;
    if (n == 9 || i + n >= s.size()) return false;  // a bad lead byte, or cut short
    uint32_t cp = n == 0 ? c : n == 1 ? (c & 0x1f) : n == 2 ? (c & 0x0f) : (c & 0x07);
    for (size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 0x2) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

}  // namespace

std::string check_label(std::string_view name, std::string_view value) {
  if (!valid_name(name))
    return fmt::format(
        "label name '{}' is not a Prometheus label name: use letters, digits and '_', not "
        "starting with a digit",
        name);
  if (name.starts_with("__"))
    return fmt::format("label name '{}': names starting with '__' belong to Prometheus", name);
  if (std::find(kReserved.begin(), kReserved.end(), name) != kReserved.end())
    return fmt::format("label name '{}' is one teebench sets itself; pick another name", name);
  // An empty value is the same as no label in Prometheus: the label would silently vanish.
  if (value.empty()) return fmt::format("label '{}' has an empty value; give it one", name);
  if (!valid_text(value))
    return fmt::format("label '{}': the value is not UTF-8 text (control characters or bad bytes)",
                       name);
  // Values travel in the Pushgateway's URL path and in dashboards' variables; past 256 bytes a
  // value is almost certainly an id or a log line, which would explode the number of series.
  if (value.size() > 256)
    return fmt::format("label '{}': the value is {} bytes; keep label values under 256 bytes", name,
                       value.size());
  return {};
}

std::string add_label(std::string_view kv, std::map<std::string, std::string>* out) {
  const auto eq = kv.find('=');
  if (eq == std::string_view::npos)
    return fmt::format("--label {}: expected KEY=VALUE, e.g. optee_version=4.9.0", kv);
  const std::string_view name = kv.substr(0, eq), value = kv.substr(eq + 1);
  if (auto e = check_label(name, value); !e.empty()) return "--label " + std::string(kv) + ": " + e;
  (*out)[std::string(name)] = std::string(value);
  return {};
}

}  // namespace reports
