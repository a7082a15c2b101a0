// A client program: what one client thread does, in order, instead of drawing operations from a
// weighted mix (docs/workloads.md, "Scripts"). Field reports describe host applications this way:
// "each thread opens a context, opens a session, invokes three times, closes, finalizes".
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "workloads/spec.h"

namespace workloads {

enum class StepKind : uint8_t {
  kOp,      // one operation (an entry of the group's mix, which holds its statistics)
  kThink,   // the client computes or sleeps; not a call, but part of the transaction
  kRepeat,  // the body, a fixed number of times
};

struct Step {
  StepKind kind = StepKind::kOp;
  size_t op = 0;           // kOp
  double think_us = 0;     // kThink
  uint64_t times = 0;      // kRepeat
  std::vector<Step> body;  // kRepeat
};

// The script split where its loop is. Without a `loop` step the whole script is one transaction,
// run again and again; with one, the steps before it run once, each pass through its body is a
// transaction, and the steps after it run once when the run ends (closing what the first opened).
struct Script {
  std::vector<Step> setup;
  std::vector<Step> body;
  std::vector<Step> teardown;
  bool has_loop = false;
  // The client starts without a context (session) because the script opens it.
  bool opens_context = false;
  bool opens_session = false;
  // A client whose script opens its context has no session either until the script opens one.
  bool starts_without_session() const { return opens_session || opens_context; }
  size_t transaction = 0;  // the mix entry each transaction's latency goes into
};

// Parses `j` (the group's "script" array at `path`) into g.mix and g.script. Needs g.threads and
// g.shared_session set. Throws SpecError("FILE: $.path: what is wrong").
void parse_script(const nlohmann::json& j, const std::string& path, const std::string& file,
                  GroupSpec& g);

// The operations a mix may hold (a script may also hold the context and session steps).
OpSpec parse_op(const nlohmann::json& j, const std::string& path, const std::string& file,
                bool script_step = false);

}  // namespace workloads
