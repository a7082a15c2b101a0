#include "workloads/process_resources.h"

#include <dirent.h>
#include <fmt/core.h>

#include <algorithm>
#include <fstream>
#include <string>

namespace workloads {
namespace {

// "VmRSS:    38204 kB" and "Threads:   70" of /proc/self/status (proc(5)).
void read_status(ResourceSample& s) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("VmRSS:")) s.rss_kib = std::stoull(line.substr(6));
    if (line.starts_with("Threads:")) s.threads = std::stoull(line.substr(8));
  }
}

// Entries of /proc/self/fd, less the one this listing holds open.
uint64_t count_fds() {
  DIR* d = opendir("/proc/self/fd");
  if (!d) return 0;
  uint64_t n = 0;
  while (const dirent* e = readdir(d))
    if (e->d_name[0] != '.') ++n;
  closedir(d);
  return n ? n - 1 : 0;
}

// The lowest reading of the last quarter against the highest of the first: a leak raises the
// floor; what clients open and close in passing (a script's context_open) moves only the peaks.
struct Quarters {
  uint64_t first_max = 0, last_min = 0;
};

template <typename Field>
Quarters quarters(const std::vector<ResourceSample>& s, Field field) {
  const size_t q = std::max<size_t>(1, s.size() / 4);
  Quarters r;
  r.last_min = UINT64_MAX;
  for (size_t i = 0; i < q; ++i) r.first_max = std::max(r.first_max, field(s[i]));
  for (size_t i = s.size() - q; i < s.size(); ++i) r.last_min = std::min(r.last_min, field(s[i]));
  return r;
}

}  // namespace

ResourceSample read_process_resources(double t_s) {
  ResourceSample s;
  s.t_s = t_s;
  try {
    read_status(s);
  } catch (const std::exception&) {
    // A malformed status line (it never is on Linux): this reading is left out.
    s.t_s = -1;
  }
  s.fds = count_fds();
  if (s.rss_kib == 0 || s.threads == 0) s.t_s = -1;  // no /proc: nothing to judge
  return s;
}

void ProcessResources::sample(double t_s) {
  if (!samples_.empty() && t_s - samples_.back().t_s < kMinPeriodS) return;
  const ResourceSample s = read_process_resources(t_s);
  if (s.t_s >= 0) add(s);
}

nlohmann::json ProcessResources::to_json() const {
  if (samples_.empty()) return nullptr;
  auto one = [](const ResourceSample& s) {
    return nlohmann::json{
        {"t_s", s.t_s}, {"rss_kib", s.rss_kib}, {"fds", s.fds}, {"threads", s.threads}};
  };
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& s : samples_) rows.push_back({s.t_s, s.rss_kib, s.fds, s.threads});
  return {{"columns", {"t_s", "rss_kib", "fds", "threads"}},
          {"samples", std::move(rows)},
          {"first", one(samples_.front())},
          {"last", one(samples_.back())}};
}

void ProcessResources::judge(std::vector<reports::Verdict>& out) const {
  if (samples_.size() < kMinSamples || samples_.back().t_s - samples_.front().t_s < kMinSpanS)
    return;
  const double span = samples_.back().t_s - samples_.front().t_s;
  auto verdict = [&](const char* name, const char* what, Quarters q, uint64_t allowed) {
    const bool flat = q.last_min <= q.first_max + allowed;
    out.push_back({name,
                   flat ? reports::Outcome::kPass : reports::Outcome::kFail,
                   fmt::format("{} {}: at most {} in the first quarter of {:.0f} s, at least {} "
                               "in the last{}",
                               what, flat ? "flat" : "grew", q.first_max, span, q.last_min,
                               flat ? "" : " (a leak)"),
                   {{"first_quarter_max", q.first_max},
                    {"last_quarter_min", q.last_min},
                    {"allowed_growth", allowed},
                    {"samples", samples_.size()}}});
  };
  // Descriptors and threads are counted exactly: any rise of the floor is a leak.
  verdict("fds_flat", "open descriptors", quarters(samples_, [](auto& s) { return s.fds; }), 0);
  verdict("threads_flat", "threads", quarters(samples_, [](auto& s) { return s.threads; }), 0);
  // Resident memory is not exact: malloc keeps freed pages and the kernel reclaims them when it
  // likes. 10 % + 8 MiB is above what a 1-hour soak of 64 clients moved with no leak
  // (docs/verdicts.md), and far below what a leak of one allocation per call adds in an hour.
  const auto rss = quarters(samples_, [](auto& s) { return s.rss_kib; });
  verdict("rss_flat", "resident memory (KiB)", rss, rss.first_max / 10 + 8 * 1024);
}

}  // namespace workloads
