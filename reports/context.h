// The machine half of a result's context (google/benchmark's context, extended): host, kernel,
// CPU, frequency governor, and when the run started. The run adds target, clock and labels.
#pragma once

#include <nlohmann/json.hpp>

namespace reports {

nlohmann::json host_context();
// ISO 8601 UTC, e.g. 2026-11-25T15:20:35Z.
std::string utc_now();
// The 1-minute load average of a recorded context (teebench's or Google Benchmark's) when it
// exceeds half its CPUs — other work shared the host when the run started — else 0.
double busy_host_load(const nlohmann::json& context);

}  // namespace reports
