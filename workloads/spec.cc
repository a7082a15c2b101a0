#include "workloads/spec.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "reports/json_input.h"
#include "targets/target_spec.h"
#include "workloads/script.h"
#include "workloads/spec_reader.h"

namespace workloads {
namespace {

using nlohmann::json;
using spec_reader::Obj;
using spec_reader::type_name;

// In OpKind order: the ops a mix may hold, then those only a script may (workloads/script.h).
constexpr const char* kOps[] = {"open_close",   "nop",    "value",      "memref_read",
                                "memref_write", "hold",   "wait",       "shm_churn",
                                "ocall",        "plugin", "ocall_crash"};
constexpr const char* kScriptOps[] = {
    "open_close",  "nop",          "value",         "memref_read",  "memref_write",
    "hold",        "wait",         "shm_churn",     "ocall",        "plugin",
    "ocall_crash", "context_open", "context_close", "session_open", "session_close"};
constexpr const char* kAllOps[] = {"open_close",    "nop",          "value",         "memref_read",
                                   "memref_write",  "hold",         "wait",          "shm_churn",
                                   "ocall",         "plugin",       "ocall_crash",   "context_open",
                                   "context_close", "session_open", "session_close", "transaction"};
constexpr const char* kMemory[] = {"static", "registered", "tmpref", "copy"};
constexpr uint64_t kMaxSize = uint64_t{1} << 30;
// A case runs a thread and an emulated (or real) client process per client: 4096 is well past
// any secure thread pool worth testing (CFG_NUM_THREADS tops out in the tens) and below the
// thread limits of a default Linux install (threads-max is in the tens of thousands).
constexpr uint64_t kMaxClients = 4096;
// The sweep's cartesian product is expanded up front; 10 000 cases at even 1 s each is a
// three-hour run, beyond which a typo in a sweep is likelier than an intent.
constexpr uint64_t kMaxCases = 10000;
// Threads per client process: 256 is beyond any TEE client seen in the field (thread pools of a
// few dozen at most) while kMaxClients still bounds the total.
constexpr uint64_t kMaxThreadsPerProcess = 256;

// The name becomes the results folder (results/<name>-<time>) and a metric label: it must not
// climb out of results/ or hide as a dot-file.
void check_name(Obj& o, const std::string& name) {
  if (name.empty()) o.fail(o.at("name"), "must not be empty");
  if (name.size() > 100) o.fail(o.at("name"), "is longer than 100 characters");
  if (name[0] == '.' ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                             "0123456789._-") != std::string::npos)
    o.fail(o.at("name"), "'" + name +
                             "' names the results folder: use letters, digits, '.', '_' and '-' "
                             "(not starting with '.')");
}

std::vector<uint64_t> parse_sizes(Obj& o, const std::string& key) {
  const json& v = o.raw(key);
  std::vector<uint64_t> out;
  auto one = [&](const json& x, const std::string& path) {
    if (!x.is_number_integer() || x.get<int64_t>() <= 0 || x.get<uint64_t>() > kMaxSize)
      o.fail(path, "a size must be an integer from 1 to " + std::to_string(kMaxSize) + " bytes");
    out.push_back(x.get<uint64_t>());
  };
  if (v.is_array()) {
    if (v.empty()) o.fail(o.at(key), "needs at least one size");
    for (size_t i = 0; i < v.size(); ++i) one(v[i], o.at(key) + "[" + std::to_string(i) + "]");
  } else {
    one(v, o.at(key));
  }
  return out;
}

}  // namespace

OpSpec parse_op(const json& j, const std::string& path, const std::string& file, bool script_step) {
  Obj o(j, path, file);
  OpSpec op;
  op.name = script_step ? o.choice("op", kScriptOps) : o.choice("op", kOps);
  op.kind = static_cast<OpKind>(std::find(std::begin(kAllOps), std::end(kAllOps), op.name) -
                                std::begin(kAllOps));
  if (script_step) {
    // A step reports under its own name; two steps of one kind are told apart by it.
    if (o.has("name")) op.name = o.str("name");
  } else {
    op.weight = o.num("weight", 1e-9, 1e9, 1.0);
  }
  const bool memref = op.kind == OpKind::kMemrefRead || op.kind == OpKind::kMemrefWrite ||
                      op.kind == OpKind::kShmChurn;
  if (memref) {
    op.sizes = parse_sizes(o, "size");
    const std::string m = o.choice("memory", kMemory, std::string("registered"));
    op.memory = static_cast<Memory>(std::find(std::begin(kMemory), std::end(kMemory), m) - kMemory);
    if (op.kind == OpKind::kShmChurn &&
        (op.memory == Memory::kTmpref || op.memory == Memory::kCopy))
      o.fail(o.at("memory"), "shm_churn allocates or registers: use static or registered");
  }
  if (op.kind == OpKind::kHold) op.hold_us = static_cast<uint32_t>(o.integer("us", 1, 10000000));
  if (op.kind == OpKind::kWait) op.wait_ms = static_cast<uint32_t>(o.integer("ms", 0, 60000));
  if (op.kind == OpKind::kOcall || op.kind == OpKind::kPlugin || op.kind == OpKind::kOcallCrash) {
    op.bytes = static_cast<uint32_t>(
        o.integer("bytes", 0, 65536, op.kind == OpKind::kOcallCrash ? 12288 : 0));
    if (op.kind != OpKind::kOcallCrash)
      op.calls = static_cast<uint32_t>(o.integer("calls", 1, 16, 1));
    // Up to a second: a handler longer than that is a hang, which the watchdog reports.
    if (op.kind == OpKind::kOcall)
      op.handler_us = static_cast<uint32_t>(o.integer("handler_us", 0, 1000000, 0));
  }
  o.done();
  return op;
}

namespace {

GroupSpec parse_group(const json& j, const std::string& path, const std::string& file) {
  Obj o(j, path, file);
  GroupSpec g;
  g.name = o.str("name");
  if (g.name.empty()) o.fail(o.at("name"), "must not be empty");
  // "clients" is the older name of "processes": a client was always a process of its own.
  if (o.has("clients") && o.has("processes"))
    o.fail(o.at("processes"), "give processes or clients (its older name), not both");
  const uint64_t processes =
      o.has("processes") ? o.integer("processes", 0, 1024) : o.integer("clients", 0, 1024, 1);
  g.threads = static_cast<uint32_t>(o.integer("threads", 1, kMaxThreadsPerProcess, 1));
  g.clients = static_cast<uint32_t>(processes * g.threads);
  constexpr const char* kSessions[] = {"thread", "process"};
  g.shared_session = o.choice("session", kSessions, std::string("thread")) == "process";
  constexpr const char* kTas[] = {"multi_instance", "single_instance", "multi_session",
                                  "keep_alive", "concurrent"};
  g.ta = *client::parse_bench_ta(o.choice("ta", kTas, std::string("multi_instance")));
  constexpr const char* kLogins[] = {"public", "user"};
  g.login = o.choice("login", kLogins, std::string("public")) == "user" ? client::Login::kUser
                                                                        : client::Login::kPublic;
  if (o.has("pacing")) {
    Obj p(o.raw("pacing"), o.at("pacing"), file);
    constexpr const char* kModes[] = {"closed", "open"};
    const std::string mode = p.choice("mode", kModes, std::string("closed"));
    g.pacing = mode == "open" ? Pacing::kOpen : Pacing::kClosed;
    if (g.pacing == Pacing::kClosed) {
      g.think_us = p.num("think_us", 0, 6e7, 0.0);
    } else {
      g.rate_per_s = p.num("rate_per_s", 1e-3, 1e8);
      constexpr const char* kArrivals[] = {"constant", "poisson"};
      g.arrival = p.choice("arrival", kArrivals, std::string("constant")) == "poisson"
                      ? Arrival::kPoisson
                      : Arrival::kConstant;
    }
    if (p.has("ramp")) {
      Obj r(p.raw("ramp"), p.at("ramp"), file);
      const json& steps = r.raw("steps");
      if (!steps.is_array() || steps.empty())
        r.fail(r.at("steps"), "expected a non-empty array of clients (closed) or rates (open)");
      for (size_t i = 0; i < steps.size(); ++i) {
        if (!steps[i].is_number() || steps[i].get<double>() <= 0)
          r.fail(r.at("steps") + "[" + std::to_string(i) + "]", "must be a positive number");
        if (g.pacing == Pacing::kClosed && steps[i].get<double>() > g.clients)
          r.fail(r.at("steps") + "[" + std::to_string(i) + "]",
                 "more active clients than the group's " + std::to_string(g.clients));
        g.ramp.push_back(steps[i].get<double>());
      }
      g.ramp_step_s = r.num("step_s", 1e-3, 86400);
      r.done();
    }
    p.done();
  }
  g.start_s = o.num("start_s", 0, 86400, 0.0);
  if (o.has("stop_s")) {
    g.stop_s = o.num("stop_s", 0, 86400);
    if (*g.stop_s <= g.start_s) o.fail(o.at("stop_s"), "must be after start_s");
  }
  g.record_samples = o.boolean("record_samples", false);
  g.guest = static_cast<uint32_t>(o.integer("guest", 1, 64, 1));
  g.role = o.str("role", std::string());
  if (o.has("kill_s")) {
    g.kill_s = o.num("kill_s", 0, 86400);
    if (*g.kill_s <= g.start_s) o.fail(o.at("kill_s"), "must be after start_s");
    if (g.stop_s && *g.stop_s < *g.kill_s)
      o.fail(o.at("kill_s"), "is after stop_s: the group has stopped issuing by then");
    if (!g.stop_s) g.stop_s = g.kill_s;
  }
  if (o.has("destroy_guest_s")) {
    g.destroy_guest_s = o.num("destroy_guest_s", 0, 86400);
    if (*g.destroy_guest_s <= g.start_s) o.fail(o.at("destroy_guest_s"), "must be after start_s");
    if (!g.stop_s) g.stop_s = g.destroy_guest_s;
  }
  if (o.has("script") == o.has("mix"))
    o.fail(o.at("mix"), "give a mix (operations drawn at random) or a script (steps in order)");
  if (o.has("script")) {
    if (g.pacing == Pacing::kOpen)
      o.fail(o.at("pacing"), "a script runs closed loop (each transaction follows the last)");
    parse_script(o.raw("script"), o.at("script"), file, g);
  } else {
    const json& mix = o.raw("mix");
    if (!mix.is_array() || mix.empty())
      o.fail(o.at("mix"), "expected a non-empty array of operations");
    for (size_t i = 0; i < mix.size(); ++i)
      g.mix.push_back(parse_op(mix[i], o.at("mix") + "[" + std::to_string(i) + "]", file));
  }
  o.done();
  return g;
}

WorkloadSpec parse_spec(const json& j, const std::string& file) {
  Obj o(j, "$", file);
  WorkloadSpec w;
  w.name = o.str("name");
  check_name(o, w.name);
  w.description = o.str("description", std::string());
  w.scenario = o.str("scenario", std::string("generic"));
  if (o.has("stack")) {
    w.stack = o.raw("stack");
    if (!w.stack.is_object()) o.fail("$.stack", "expected an object of knob: value");
  }
  if (o.has("sweep")) (void)o.raw("sweep");  // expanded before parsing
  constexpr const char* kClocks[] = {"auto", "monotonic", "cycles"};
  w.clock = o.choice("clock", kClocks, std::string("auto"));
  w.warmup_s = o.num("warmup_s", 0, 3600, 0.0);
  if (o.has("duration_s")) w.duration_s = o.num("duration_s", 1e-3, 86400 * 7);
  if (o.has("operations")) w.operations = o.integer("operations", 1, uint64_t{1} << 40);
  if (w.duration_s && w.operations)
    o.fail("$.operations", "give either duration_s or operations, not both");
  if (!w.duration_s && !w.operations) o.fail("$.duration_s", "give duration_s or operations");
  w.repetitions = static_cast<uint32_t>(o.integer("repetitions", 1, 1000, 1));
  w.seed = o.integer("seed", 0, UINT64_MAX, 1);
  w.interval_s = o.num("interval_s", 0.01, 3600, 1.0);
  w.watchdog_s = o.num("watchdog_s", 0, 86400, 10.0);
  // 0 = off; 50 us..1 s: below 50 us the probe's own wake-ups would load a CPU.
  w.latency_probe_us = o.num("latency_probe_us", 0, 1e6, 0.0);
  if (w.latency_probe_us != 0 && w.latency_probe_us < 50)
    o.fail("$.latency_probe_us", "0 (off) or 50 .. 1000000 microseconds");
  const json& groups = o.raw("groups");
  if (!groups.is_array() || groups.empty()) o.fail("$.groups", "expected a non-empty array");
  std::set<std::string> names;
  for (size_t i = 0; i < groups.size(); ++i) {
    const std::string path = "$.groups[" + std::to_string(i) + "]";
    w.groups.push_back(parse_group(groups[i], path, file));
    if (!names.insert(w.groups.back().name).second)
      o.fail(path + ".name", "duplicate group name '" + w.groups.back().name + "'");
    const auto& g = w.groups.back();
    if (w.duration_s && g.stop_s && *g.stop_s > *w.duration_s)
      o.fail(path + ".stop_s", "is after the end of the run (duration_s)");
    if (w.operations && g.pacing == Pacing::kOpen)
      o.fail(path + ".pacing", "open-loop groups need duration_s, not operations");
    if (g.kill_s && w.duration_s && *g.kill_s >= *w.duration_s)
      o.fail(path + ".kill_s", "is after the end of the run (duration_s)");
    if (g.kill_s && w.operations)
      o.fail(path + ".kill_s", "needs duration_s: with operations the run has no timeline");
    if (g.destroy_guest_s && w.duration_s && *g.destroy_guest_s >= *w.duration_s)
      o.fail(path + ".destroy_guest_s", "is after the end of the run (duration_s)");
    if (w.duration_s && g.start_s >= *w.duration_s)
      o.fail(path + ".start_s",
             "is at or after the end of the run (duration_s): the group would issue nothing");
    if (w.operations && g.start_s > 0)
      o.fail(path + ".start_s", "needs duration_s: with operations the run has no timeline");
    if (w.duration_s && !g.ramp.empty() &&
        g.start_s + g.ramp_step_s * static_cast<double>(g.ramp.size() - 1) >= *w.duration_s)
      o.fail(path + ".pacing.ramp", "its last step starts after the end of the run (duration_s)");
  }
  // A single-instance TA without MULTI_SESSION refuses a second session (TEE_ERROR_BUSY): the
  // sessions clients hold for their life must fit (a script's own opens are measured instead).
  uint64_t held = 0;
  for (const auto& g : w.groups)
    if (g.ta == client::BenchTa::kSingleInstance &&
        !(g.script && g.script->starts_without_session()))
      held += g.shared_session ? g.clients / g.threads : g.clients;
  if (held > 1)
    o.fail("$.groups", "ta single_instance takes one session at a time, and these groups hold " +
                           std::to_string(held) +
                           " for the whole run: use one process with session: process, or "
                           "another ta (docs/ta.md)");
  uint64_t clients = 0;
  for (const auto& g : w.groups) clients += g.clients;
  if (clients == 0) o.fail("$.groups", "every group has 0 clients: nothing would run");
  if (clients > kMaxClients)
    o.fail("$.groups", std::to_string(clients) + " clients in one case; at most " +
                           std::to_string(kMaxClients) +
                           " (a client is a thread: processes x threads)");
  o.done();
  return w;
}

// "stack.threads" -> "stack.CFG_NUM_THREADS": a knob has one key in the document, whatever name
// the file, a sweep or --set used for it (docs/workloads.md, "Stack knobs").
std::string canonical_path(const std::string& path) {
  if (!path.starts_with("stack.")) return path;
  const std::string key = path.substr(6);
  if (key.find('.') != std::string::npos) return path;
  const std::string canon = targets::canonical_knob(key);
  return canon.empty() ? path : "stack." + canon;
}

// Renames the file's stack keys to their canonical names. Two names of one knob in one file are
// refused: which of them was meant cannot be known. Unknown keys stay, for resolve_target to name.
void canonicalise_stack(json& doc, const std::string& file) {
  if (!doc.contains("stack") || !doc["stack"].is_object()) return;
  json out = json::object();
  std::map<std::string, std::string> written;  // canonical -> as the file wrote it
  for (const auto& [k, v] : doc["stack"].items()) {
    std::string canon = targets::canonical_knob(k);
    if (canon.empty()) canon = k;
    if (auto it = written.find(canon); it != written.end())
      throw SpecError(file + ": $.stack: '" + it->second + "' and '" + k + "' are the same knob (" +
                      canon + "); keep one");
    written.emplace(canon, k);
    out[canon] = v;
  }
  doc["stack"] = std::move(out);
}

// Dotted paths into the document: "duration_s", "stack.threads", "groups.bulk.clients" (a group
// by name) or "groups.0.mix.1.size" (by index). Missing object keys are created.
void set_path(json& doc, const std::string& given_path, const json& value,
              const std::string& file) {
  const std::string path = canonical_path(given_path);
  json* cur = &doc;
  std::stringstream ss(path);
  std::string part;
  std::vector<std::string> parts;
  while (std::getline(ss, part, '.')) parts.push_back(part);
  if (parts.empty()) throw SpecError(file + ": override '" + path + "': empty path");
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    const bool last = i + 1 == parts.size();
    if (cur->is_array()) {
      json* next = nullptr;
      if (!p.empty() && std::all_of(p.begin(), p.end(), ::isdigit)) {
        const size_t idx = std::stoul(p);
        if (idx < cur->size()) next = &(*cur)[idx];
      } else {
        for (auto& e : *cur)
          if (e.is_object() && e.contains("name") && e["name"].is_string() &&
              e["name"].get<std::string>() == p)
            next = &e;
      }
      if (!next) throw SpecError(file + ": override '" + path + "': no element '" + p + "'");
      if (last) *next = value;
      cur = next;
    } else if (cur->is_object() || cur->is_null()) {
      if (last) (*cur)[p] = value;
      cur = &(*cur)[p];
    } else {
      throw SpecError(file + ": override '" + path + "': '" + p + "' is inside a non-object");
    }
  }
}

// A --set value is JSON when it parses as JSON (4, true, [1,2]), else the string itself.
json parse_value(const std::string& text, const std::string& file, const std::string& path) {
  try {
    return reports::parse_json(text);
  } catch (const reports::JsonInputError& e) {
    if (std::string_view(e.what()).starts_with("nested"))
      throw SpecError(file + ": override '" + path + "': the value is " + e.what());
    return json(text);
  }
}

std::string label_of(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

}  // namespace

const char* to_string(OpKind k) { return kAllOps[static_cast<int>(k)]; }
const char* to_string(Memory m) { return kMemory[static_cast<int>(m)]; }

namespace {

// One path=value with where it was written: "--set" or a suite's "FILE: $.include[i].set".
struct Override {
  std::string text;
  std::string origin;
};

// Applies the overrides to `doc` and returns the canonical paths they set. A stack knob is
// checked here, so a typo or a bad value is blamed on the --set that made it, not on the file.
std::set<std::string> apply_overrides(json& doc, const std::vector<Override>& overrides,
                                      const std::string& file) {
  std::set<std::string> paths;
  for (const auto& [o, origin] : overrides) {
    const auto eq = o.find('=');
    if (eq == std::string::npos || eq == 0)
      throw SpecError(origin + " " + o + ": expected path=value");
    std::string path = o.substr(0, eq);
    // A bare key that is not a workload field is a stack knob (threads=4, driver=6.8).
    static const std::set<std::string> kTop = {
        "name",  "description", "scenario",   "stack",      "sweep",
        "clock", "warmup_s",    "duration_s", "operations", "repetitions",
        "seed",  "interval_s",  "groups",     "watchdog_s", "latency_probe_us"};
    if (path.find('.') == std::string::npos && !kTop.count(path)) path = "stack." + path;
    if (path.starts_with("stack.") && path.find('.', 6) == std::string::npos) {
      targets::TargetSpec scratch;
      if (auto e = scratch.set(path.substr(6), o.substr(eq + 1)); !e.empty())
        throw SpecError(origin + " " + o + ": " + e);
    }
    path = canonical_path(path);
    set_path(doc, path, parse_value(o.substr(eq + 1), file, path), file);
    paths.insert(path);
  }
  return paths;
}

Workload parse_workload_with(const std::string& file, json doc,
                             const std::vector<Override>& overrides) {
  if (!doc.is_object()) throw SpecError(file + ": $: a workload must be a JSON object");
  canonicalise_stack(doc, file);
  const std::set<std::string> overridden = apply_overrides(doc, overrides, file);
  Workload w;
  w.file = file;
  w.document = doc;
  // The sweep: an array of one-key objects; each key is a path (values are set there) or a
  // label whose values are objects of path: value set together.
  std::vector<std::pair<std::string, json>> dims;
  if (doc.contains("sweep")) {
    const json& sweep = doc["sweep"];
    if (!sweep.is_array())
      throw SpecError(file + ": $.sweep: expected an array of {path: [values]}");
    for (size_t i = 0; i < sweep.size(); ++i) {
      const std::string p = "$.sweep[" + std::to_string(i) + "]";
      if (!sweep[i].is_object() || sweep[i].size() != 1)
        throw SpecError(file + ": " + p + ": expected one {path: [values]}");
      const auto it = sweep[i].begin();
      if (!it.value().is_array() || it.value().empty())
        throw SpecError(file + ": " + p + "." + it.key() + ": expected a non-empty array");
      dims.emplace_back(it.key(), it.value());
      // --set wins over the file; over a sweep it could only make every case the same, so the
      // two together are refused rather than one silently dropped.
      std::vector<std::string> varied = {canonical_path(it.key())};
      for (const auto& v : it.value())
        if (v.is_object())
          for (const auto& [path, val] : v.items()) varied.push_back(canonical_path(path));
      for (const auto& path : varied)
        if (overridden.count(path))
          throw SpecError(file + ": " + p + ": the sweep varies " + path +
                          ", which --set also sets; drop one of them");
    }
  }
  uint64_t cases = 1;
  for (const auto& d : dims) {
    cases *= d.second.size();
    if (cases > kMaxCases)
      throw SpecError(file + ": $.sweep: expands to more than " + std::to_string(kMaxCases) +
                      " cases; sweep fewer values or split the workload");
  }
  std::vector<size_t> idx(dims.size(), 0);
  for (;;) {
    Case c;
    json d = doc;
    d.erase("sweep");
    std::string label;
    for (size_t k = 0; k < dims.size(); ++k) {
      const json& v = dims[k].second[idx[k]];
      if (v.is_object()) {
        for (const auto& [path, val] : v.items())
          if (path != "label") set_path(d, path, val, file);
        if (v.contains("label") && !v["label"].is_string())
          throw SpecError(file + ": $.sweep[" + std::to_string(k) + "]." + dims[k].first + "[" +
                          std::to_string(idx[k]) + "].label: expected a string");
        c.params[dims[k].first] = v.value("label", std::to_string(idx[k]));
      } else {
        set_path(d, dims[k].first, v, file);
        c.params[dims[k].first] = v;
      }
      const std::string key = dims[k].first.substr(dims[k].first.rfind('.') + 1);
      label += (label.empty() ? "" : " ") + key + "=" + label_of(c.params[dims[k].first]);
    }
    c.label = label.empty() ? "default" : label;
    c.spec = parse_spec(d, file);
    c.part = c.spec.name;
    w.cases.push_back(std::move(c));
    size_t k = 0;
    while (k < dims.size() && ++idx[k] == dims[k].second.size()) idx[k++] = 0;
    if (k == dims.size()) break;
  }
  // Validated by parse_spec: a string name fit for a folder.
  w.name = w.cases[0].spec.name;
  w.description = w.cases[0].spec.description;
  return w;
}

std::vector<Override> from_command_line(const std::vector<std::string>& sets) {
  std::vector<Override> out;
  for (const auto& s : sets) out.push_back({s, "--set"});
  return out;
}

}  // namespace

Workload parse_workload(const std::string& file, json doc,
                        const std::vector<std::string>& overrides) {
  return parse_workload_with(file, std::move(doc), from_command_line(overrides));
}

namespace {

json read_json(const std::string& file) {
  std::string text;
  try {
    text = reports::read_text_file(file);
  } catch (const reports::JsonInputError& e) {
    throw SpecError(file + ": not a workload file (" + e.what() + "); see teebench list");
  }
  try {
    return reports::parse_json(text);
  } catch (const reports::JsonInputError& e) {
    throw SpecError(file + ": $: " + e.what());
  }
}

// A suite: {"name", "description", "include": [{"file": "shm.json", "set": ["k=v", ...]}, ...]}.
// Its cases are the included workloads' cases, each keeping its own scenario.
Workload load_suite(const std::string& file, const json& doc,
                    const std::vector<std::string>& overrides) {
  Obj o(doc, "$", file);
  Workload suite;
  suite.file = file;
  suite.document = doc;
  suite.name = o.str("name");
  check_name(o, suite.name);
  suite.description = o.str("description", std::string());
  const json& inc = o.raw("include");
  o.done();
  if (!inc.is_array() || inc.empty())
    throw SpecError(file + ": $.include: expected a non-empty array");
  const std::string dir =
      file.find('/') == std::string::npos ? "." : file.substr(0, file.rfind('/'));
  for (size_t i = 0; i < inc.size(); ++i) {
    const std::string path = "$.include[" + std::to_string(i) + "]";
    Obj e(inc[i], path, file);
    const std::string sub = dir + "/" + e.str("file");
    std::vector<Override> sets;
    if (e.has("set")) {
      for (const auto& v : e.raw("set")) {
        if (!v.is_string())
          throw SpecError(file + ": " + path + ".set: expected strings \"path=value\"");
        sets.push_back({v.get<std::string>(), file + ": " + path + ".set:"});
      }
    }
    e.done();
    for (auto& cli : from_command_line(overrides)) sets.push_back(std::move(cli));
    json subdoc = read_json(sub);
    if (subdoc.contains("include")) throw SpecError(file + ": " + path + ": suites do not nest");
    Workload w = parse_workload_with(sub, std::move(subdoc), sets);
    for (auto& c : w.cases) {
      c.label = w.name + ": " + c.label;
      suite.cases.push_back(std::move(c));
    }
  }
  return suite;
}

}  // namespace

Workload load_workload(const std::string& file, const std::vector<std::string>& overrides) {
  json doc = read_json(file);
  if (doc.is_object() && doc.contains("include")) return load_suite(file, doc, overrides);
  return parse_workload(file, std::move(doc), overrides);
}

}  // namespace workloads
