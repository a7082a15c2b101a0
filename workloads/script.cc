#include "workloads/script.h"

#include <map>

#include "workloads/spec_reader.h"

namespace workloads {
namespace {

using nlohmann::json;
using spec_reader::Obj;
using spec_reader::type_name;

// Repeat counts: a million passes of a body is already hours of calls; more is a typo.
constexpr uint64_t kMaxRepeat = 1000000;
// Think times up to a minute: longer belongs in a group that starts later.
constexpr double kMaxThinkUs = 6e7;
// Nesting of repeats: a script deeper than this is generated, not written, and the runner walks
// it recursively.
constexpr int kMaxDepth = 8;

// What a client holds at a point of its script, to check every step has what it needs before
// anything runs (a session_close without a session would otherwise fail at run time, per call).
struct Holding {
  bool context = false;
  bool session = false;
  bool operator==(const Holding&) const = default;
};

std::string describe(const Holding& h) {
  if (h.session) return "a context and a session open";
  return h.context ? "a context open and no session" : "no context";
}

class ScriptParser {
 public:
  ScriptParser(const std::string& file, GroupSpec& g) : file_(file), g_(g) {}

  void parse(const json& j, const std::string& path) {
    if (!j.is_array() || j.empty())
      fail(path, std::string("expected a non-empty array of steps, got ") +
                     (j.is_array() ? "an empty array" : type_name(j)));
    auto script = std::make_shared<Script>();
    script_ = script.get();
    scan_opens(j);
    if (g_.threads > 1 && script_->opens_context)
      fail(path,
           "context_open/context_close: the threads of a process share its context "
           "(threads: " +
               std::to_string(g_.threads) + "); give these steps with threads: 1");
    if (g_.shared_session && script_->opens_session)
      fail(path,
           "session_open/session_close: the group's threads share one session per "
           "process (session: process); give these steps with session: thread");
    held_.context = !script_->opens_context;
    held_.session = !script_->opens_session && !script_->opens_context;
    const Holding start = held_;
    bool in_setup = true;
    for (size_t i = 0; i < j.size(); ++i) {
      const std::string p = path + "[" + std::to_string(i) + "]";
      if (j[i].is_object() && j[i].contains("loop")) {
        if (script_->has_loop) fail(p, "a script has at most one loop (the run's duration)");
        script_->has_loop = true;
        in_setup = false;
        Obj o(j[i], p, file_);
        const Holding before = held_;
        script_->body = steps(o.raw("loop"), o.at("loop"), 1);
        if (held_ != before)
          fail(o.at("loop"), "a loop's body must leave the client as it found it (" +
                                 describe(before) + "); it ends with " + describe(held_));
        o.done();
        continue;
      }
      (in_setup ? setup_ : script_->teardown).push_back(step(j[i], p, 0));
    }
    if (script_->has_loop) {
      script_->setup = std::move(setup_);
    } else {
      script_->body = std::move(setup_);
      // Each transaction runs the whole script again.
      if (held_ != start)
        fail(path, "the script runs again for each transaction, so it must end as it starts (" +
                       describe(start) + "); it ends with " + describe(held_) +
                       " (or put the repeated part in a {\"loop\": [...]} step)");
    }
    OpSpec txn;
    txn.kind = OpKind::kTransaction;
    txn.name = "transaction";
    script_->transaction = g_.mix.size();
    g_.mix.push_back(txn);
    g_.script = std::move(script);
  }

 private:
  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw SpecError(file_ + ": " + path + ": " + what);
  }

  // Whether any step opens the context or a session: then the client starts without it.
  void scan_opens(const json& j) {
    if (j.is_array()) {
      for (const auto& e : j) scan_opens(e);
    } else if (j.is_object()) {
      if (auto it = j.find("op"); it != j.end() && it->is_string()) {
        if (*it == "context_open") script_->opens_context = true;
        if (*it == "session_open") script_->opens_session = true;
      }
      for (const char* k : {"steps", "loop"})
        if (auto it = j.find(k); it != j.end()) scan_opens(*it);
    }
  }

  std::vector<Step> steps(const json& j, const std::string& path, int depth) {
    if (!j.is_array() || j.empty())
      fail(path, std::string("expected a non-empty array of steps, got ") +
                     (j.is_array() ? "an empty array" : type_name(j)));
    std::vector<Step> out;
    for (size_t i = 0; i < j.size(); ++i)
      out.push_back(step(j[i], path + "[" + std::to_string(i) + "]", depth));
    return out;
  }

  Step step(const json& j, const std::string& path, int depth) {
    if (!j.is_object()) fail(path, std::string("expected a step (an object), got ") + type_name(j));
    Step s;
    if (j.contains("loop")) fail(path, "a loop may only be a step of the script itself");
    if (j.contains("repeat")) {
      Obj o(j, path, file_);
      if (depth >= kMaxDepth) fail(path, "repeats nested deeper than " + std::to_string(kMaxDepth));
      s.kind = StepKind::kRepeat;
      s.times = o.integer("repeat", 1, kMaxRepeat);
      const Holding before = held_;
      s.body = steps(o.raw("steps"), o.at("steps"), depth + 1);
      if (held_ != before)
        fail(o.at("steps"), "a repeat's steps must leave the client as they found it (" +
                                describe(before) + "); they end with " + describe(held_));
      o.done();
      return s;
    }
    if (j.contains("think_us")) {
      Obj o(j, path, file_);
      s.kind = StepKind::kThink;
      s.think_us = o.num("think_us", 0, kMaxThinkUs);
      o.done();
      return s;
    }
    OpSpec op = parse_op(j, path, file_, true);
    check_state(op.kind, path);
    if (op.name == "transaction") fail(path + ".name", "'transaction' is the script's own figure");
    // Steps of one kind report apart: the second nop is "nop.2" unless named.
    if (!j.contains("name")) {
      const int n = ++auto_names_[op.name];
      if (n > 1) op.name += "." + std::to_string(n);
    }
    for (const auto& other : g_.mix)
      if (other.name == op.name)
        fail(path + ".name", "another step already reports as '" + op.name + "'");
    s.kind = StepKind::kOp;
    s.op = g_.mix.size();
    g_.mix.push_back(std::move(op));
    return s;
  }

  void check_state(OpKind k, const std::string& path) {
    switch (k) {
      case OpKind::kContextOpen:
        if (held_.context) fail(path, "context_open: the context is already open here");
        held_.context = true;
        return;
      case OpKind::kContextClose:
        if (!held_.context) fail(path, "context_close: no context is open here");
        if (held_.session)
          fail(path,
               "context_close: a session is still open here (close it first, as "
               "TEEC_FinalizeContext requires)");
        held_.context = false;
        return;
      case OpKind::kSessionOpen:
        if (!held_.context)
          fail(path, "session_open needs a context: add a context_open before it");
        if (held_.session) fail(path, "session_open: a session is already open here");
        held_.session = true;
        return;
      case OpKind::kSessionClose:
        if (!held_.session) fail(path, "session_close: no session is open here");
        held_.session = false;
        return;
      case OpKind::kOpenClose:
        if (!held_.context) fail(path, "open_close needs a context: add a context_open before it");
        return;
      case OpKind::kOcallCrash:
        return;  // a process of its own
      default:
        if (!held_.session)
          fail(path, std::string(to_string(k)) + " needs a session here (" + describe(held_) +
                         "): add a session_open before it");
        return;
    }
  }

  const std::string& file_;
  GroupSpec& g_;
  Script* script_ = nullptr;
  Holding held_;
  std::vector<Step> setup_;
  std::map<std::string, int> auto_names_;
};

}  // namespace

void parse_script(const json& j, const std::string& path, const std::string& file, GroupSpec& g) {
  ScriptParser(file, g).parse(j, path);
}

}  // namespace workloads
