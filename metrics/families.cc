#include "metrics/families.h"

#include "measure/histogram.h"

#include <prometheus/text_serializer.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace metrics {
namespace {

using json = nlohmann::json;
using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::map<std::string, std::string>;

// Stack counters (targets::StackCounters::available()) and how each is exported: counters only
// grow within a case (a case builds its own stack) and add up over repetitions; gauges are a
// state, of which the last reading counts.
struct CounterSpec {
  const char* key;  // in results.json's case "counters"
  const char* name;
  MetricType type;
  const char* help;
  const char* reason = nullptr;  // for the one family of Xen refusals
};
constexpr CounterSpec kStackCounters[] = {
    {"secure_threads", "teebench_secure_threads", MetricType::Gauge,
     "OP-TEE threads (CFG_NUM_THREADS, per partition with Xen) as the target counts them"},
    {"ethread_limit_returns", "teebench_ethread_limit_returns_total", MetricType::Counter,
     "OPTEE_SMC_RETURN_ETHREAD_LIMIT answers the driver got: no free secure thread"},
    {"call_queue_waits", "teebench_call_queue_waits_total", MetricType::Counter,
     "Calls the driver parked in its call queue to wait for a secure thread"},
    {"call_queue_waiting", "teebench_call_queue_depth", MetricType::Gauge,
     "Calls on the driver's call queue now: in progress, or waiting for a secure thread (the "
     "6.8 driver lists every call it counts)"},
    {"call_queue_sleeping", "teebench_call_queue_sleeping", MetricType::Gauge,
     "Callers asleep in the driver now, waiting for a secure thread"},
    {"call_queue_sleeping_peak", "teebench_call_queue_sleeping_peak", MetricType::Gauge,
     "The most callers asleep in the driver at once since the stack started (exact, not "
     "sampled)"},
    {"sessions_open", "teebench_sessions_open", MetricType::Gauge, "Open TA sessions in OP-TEE"},
    {"ta_instances", "teebench_ta_instances", MetricType::Gauge, "TA instances alive in OP-TEE"},
    {"ta_instances_created", "teebench_ta_instances_created_total", MetricType::Counter,
     "TA instances created (each a TA load) since the stack started"},
    {"registered_shm_objects", "teebench_registered_shm_objects", MetricType::Gauge,
     "Shared memory objects registered with OP-TEE (dynamic shm)"},
    {"user_shm_objects", "teebench_user_shm_objects", MetricType::Gauge,
     "Shared memory objects the kernel's TEE core holds for clients"},
    {"shm_va_pages_mapped", "teebench_optee_shm_va_pages_mapped", MetricType::Gauge,
     "Pages of registered shared memory OP-TEE has mapped into its shm VA window"},
    {"contexts_open", "teebench_contexts_open", MetricType::Gauge,
     "TEE contexts open on the client device (an fd each, plus the driver's own)"},
    {"driver_arg_pages", "teebench_driver_arg_cache_pages", MetricType::Gauge,
     "Pages the OP-TEE driver keeps for call arguments (its argument cache)"},
    {"xen_pages_translated", "teebench_xen_pages_translated_total", MetricType::Counter,
     "Page-list entries Xen's OP-TEE mediator translated from guest to machine addresses"},
    {"xen_pages_held", "teebench_xen_pages_held", MetricType::Gauge,
     "Xen heap pages the mediator holds for guests' OP-TEE buffers"},
    {"xen_rejected", "teebench_xen_rejected_calls_total", MetricType::Counter,
     "Calls Xen's OP-TEE mediator refused to forward"},
    {"xen_thread_limit_refusals", "teebench_xen_limit_refusals_total", MetricType::Counter,
     "Calls Xen's mediator refused because a per-guest limit was reached", "thread_limit"},
    {"xen_buffer_too_big", "teebench_xen_limit_refusals_total", MetricType::Counter,
     "Calls Xen's mediator refused because a per-guest limit was reached", "buffer_too_big"},
    {"xen_buffer_count_refusals", "teebench_xen_limit_refusals_total", MetricType::Counter,
     "Calls Xen's mediator refused because a per-guest limit was reached", "buffer_count"},
    {"xen_total_pages_refusals", "teebench_xen_limit_refusals_total", MetricType::Counter,
     "Calls Xen's mediator refused because a per-guest limit was reached", "total_pages"},
};

// One histogram's worth of buckets, per bound (not cumulative until emitted).
struct Buckets {
  std::vector<uint64_t> per_bound;  // size = bounds + 1 (+Inf)
  uint64_t count = 0;
  double sum_s = 0;
};

struct OpAgg {
  std::string group, op, guest;
  Buckets latency;
  uint64_t ok = 0, in_flight = 0;
  std::map<std::string, uint64_t> errors;
  double active_s = 0;
  std::map<uint64_t, uint64_t> client_calls;
};

struct CaseAgg {
  std::string label, scenario, profile;
  double duration_s = 0;
  std::vector<OpAgg> ops;
  std::map<std::string, double> counters;                               // by results.json key
  std::map<std::string, std::map<std::string, double>> guest_counters;  // guest -> key -> value
  std::vector<std::pair<std::string, std::string>> verdicts;            // name, outcome
};

std::string str(const json& j, const char* key) {
  if (!j.is_object()) return {};
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// j[key] if it is an object or array, else an empty one: read without copying (and without
// iterating a temporary, which GCC 12 warns of at -O3).
const json& member(const json& j, const char* key) {
  static const json empty_object = json::object();
  if (!j.is_object()) return empty_object;
  const auto it = j.find(key);
  return it != j.end() && (it->is_object() || it->is_array()) ? *it : empty_object;
}

double num(const json& j, const char* key) {
  if (!j.is_object()) return 0;
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0;
}

// "2026-12-05T06:27:29Z" -> seconds since the epoch; 0 if it is not that form.
double parse_utc(const std::string& s) {
  struct tm tm {};
  const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (!end || *end) return 0;
  return static_cast<double>(timegm(&tm));
}

void add_histogram(const json& h, Buckets& b) {
  const auto& bounds = latency_buckets();
  if (b.per_bound.empty()) b.per_bound.assign(bounds.size() + 1, 0);
  if (!h.is_object() || !(h.contains("bins") || h.contains("counts"))) return;
  // Each HDR bin is counted at its lowest value: within 1/1024 of every value it holds.
  for (const auto& [lowest, n] : measure::Histogram::bins_from_json(h)) {
    const double v_s = static_cast<double>(lowest) / 1e9;
    const size_t i =
        static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), v_s) - bounds.begin());
    b.per_bound[i] += n;
    b.count += n;
  }
  b.sum_s += num(h, "sum") / 1e9;
}

// Worst first: a verdict that failed in one repetition failed.
int rank(const std::string& outcome) { return outcome == "fail" ? 2 : outcome == "pass" ? 1 : 0; }

std::vector<CaseAgg> aggregate(const json& results) {
  std::vector<CaseAgg> out;
  const std::string default_profile = str(member(member(results, "context"), "device"), "profile");
  for (const auto& c : results["cases"]) {
    const std::string label = str(c, "label");
    auto it =
        std::find_if(out.begin(), out.end(), [&](const CaseAgg& a) { return a.label == label; });
    if (it == out.end()) {
      CaseAgg a;
      a.label = label;
      const json& p = member(c, "params");
      a.scenario = str(p, "scenario");
      if (a.scenario.empty()) a.scenario = str(results["workload"], "scenario");
      a.profile = str(member(p, "configuration"), "profile");
      if (a.profile.empty()) a.profile = default_profile;
      out.push_back(std::move(a));
      it = out.end() - 1;
    }
    CaseAgg& a = *it;
    a.duration_s += num(c, "duration_s");
    for (const auto& o : member(c, "operations")) {
      // A group without clients in this case (a sweep switched it off) measured nothing: no
      // series, rather than empty histograms whose quantiles are NaN. A group with clients and no
      // completed call keeps its series: that is a starved op.
      if (const auto cl = o.find("clients"); cl != o.end() && cl->is_array() && cl->empty())
        continue;
      const std::string group = str(o, "group"), op = str(o, "op");
      auto oi = std::find_if(a.ops.begin(), a.ops.end(),
                             [&](const OpAgg& x) { return x.group == group && x.op == op; });
      if (oi == a.ops.end()) {
        OpAgg x;
        x.group = group;
        x.op = op;
        x.guest = std::to_string(o.value("guest", 1));
        a.ops.push_back(std::move(x));
        oi = a.ops.end() - 1;
      }
      const uint64_t count = o.value("count", uint64_t{0});
      const uint64_t issued = o.value("issued", uint64_t{0});
      const uint64_t errors = o.value("error_total", uint64_t{0});
      oi->ok += count;
      if (issued > count + errors) oi->in_flight += issued - count - errors;
      for (const auto& [kind, n] : member(o, "errors").items())
        oi->errors[kind] += n.get<uint64_t>();
      oi->active_s += num(o, "duration_s");
      add_histogram(member(o, "histogram"), oi->latency);
      for (const auto& cl : member(o, "clients"))
        oi->client_calls[cl.value("client", uint64_t{0})] += cl.value("count", uint64_t{0});
    }
    const json& counters = member(c, "counters");
    for (const auto& s : kStackCounters) {
      const auto v = counters.find(s.key);
      if (v == counters.end() || !v->is_number()) continue;
      if (s.type == MetricType::Counter)
        a.counters[s.key] += v->get<double>();
      else
        a.counters[s.key] = v->get<double>();
    }
    // Busy and suspended secure threads: the states a stalled pool shows.
    if (counters.contains("secure_threads") && counters.contains("secure_threads_free"))
      a.counters["secure_threads_busy"] =
          num(counters, "secure_threads") - num(counters, "secure_threads_free");
    if (counters.contains("secure_threads_suspended"))
      a.counters["secure_threads_suspended"] = num(counters, "secure_threads_suspended");
    for (const auto& [k, v] : counters.items()) {
      // "guest2.xen_pinned_pages"
      if (!k.starts_with("guest") || !v.is_number()) continue;
      const auto dot = k.find('.');
      if (dot == std::string::npos) continue;
      a.guest_counters[k.substr(5, dot - 5)][k.substr(dot + 1)] = v.get<double>();
    }
    for (const auto& v : member(c, "verdicts")) {
      const std::string name = str(v, "name"), outcome = str(v, "outcome");
      auto vi = std::find_if(a.verdicts.begin(), a.verdicts.end(),
                             [&](const auto& x) { return x.first == name; });
      if (vi == a.verdicts.end())
        a.verdicts.emplace_back(name, outcome);
      else if (rank(outcome) > rank(vi->second))
        vi->second = outcome;
    }
  }
  return out;
}

// Families in a fixed order, created on first use.
class Families {
 public:
  MetricFamily& get(const std::string& name, MetricType type, const std::string& help) {
    for (auto& f : families_)
      if (f.name == name) return f;
    families_.push_back({name, help, type, {}});
    return families_.back();
  }
  void add(const std::string& name, MetricType type, const std::string& help, const Labels& labels,
           double value) {
    ClientMetric m = metric(labels);
    if (type == MetricType::Counter)
      m.counter.value = value;
    else
      m.gauge.value = value;
    get(name, type, help).metric.push_back(std::move(m));
  }
  static ClientMetric metric(const Labels& labels) {
    ClientMetric m;
    for (const auto& [k, v] : labels)
      if (!v.empty()) m.label.push_back({k, v});
    return m;
  }
  std::vector<MetricFamily> take() { return std::move(families_); }

 private:
  std::vector<MetricFamily> families_;
};

Labels with(Labels l, std::initializer_list<std::pair<const char*, std::string>> more) {
  for (const auto& [k, v] : more) l[k] = v;
  return l;
}

}  // namespace

const std::vector<double>& latency_buckets() {
  static const std::vector<double> bounds = [] {
    // In whole nanoseconds first, so each bound is the double nearest to its decimal value and
    // prints as "6.8e-07", not "6.799999999999999e-07".
    std::vector<double> b;
    constexpr uint64_t kE6x10[] = {10, 15, 22, 33, 47, 68};
    for (uint64_t scale = 10; scale <= uint64_t{1000000000}; scale *= 10)  // 100 ns .. 68 s
      for (uint64_t m : kE6x10) b.push_back(static_cast<double>(m * scale) / 1e9);
    return b;
  }();
  return bounds;
}

Labels run_labels(const json& results, const Labels& extra) {
  Labels l;
  const json& ctx = member(results, "context");
  for (const auto& [k, v] : member(ctx, "labels").items())
    if (v.is_string()) l[k] = v.get<std::string>();
  for (const auto& [k, v] : extra) l[k] = v;
  // The version comparison board needs a version on every series: the one the target reported
  // when the user did not name one.
  if (!l.count("optee_version")) {
    const std::string rev = str(member(ctx, "device"), "optee_revision");
    if (!rev.empty()) l["optee_version"] = rev;
  }
  l["target"] = str(ctx, "target");
  return l;
}

std::vector<MetricFamily> families(const json& results, const Labels& extra,
                                   double checkpoint_time) {
  if (!results.is_object() || !results.contains("context") || !results.contains("cases") ||
      !results["cases"].is_array())
    throw std::invalid_argument(
        "not a teebench results document (no context or cases): give the results.json a "
        "`teebench run` wrote");
  const Labels run = run_labels(results, extra);
  const json& ctx = results["context"];
  const json& device = member(ctx, "device");
  const std::string status = str(results, "status");
  Families f;

  // The run itself: what ran where, and how far it got.
  std::string current;
  if (status == "running" && !results["cases"].empty() &&
      !results["cases"].back().value("complete", false))
    current = str(results["cases"].back(), "label");
  f.add("teebench_run_info", MetricType::Gauge,
        "The run: teebench build, target, OP-TEE revision, workload, status and the case running",
        with(run, {{"run_id", str(ctx, "run_id")},
                   {"teebench_version", str(ctx, "teebench_version")},
                   {"git_revision", str(ctx, "git_revision")},
                   {"optee_revision", str(device, "optee_revision")},
                   {"kernel", str(device, "kernel")},
                   {"workload", str(member(results, "workload"), "name")},
                   {"status", status},
                   {"case", current}}),
        1);
  // 0 or 1 rather than a status label to filter on: alerts then always have a series to look at.
  f.add("teebench_run_running", MetricType::Gauge, "1 while the run goes, 0 once it has ended", run,
        status == "running" ? 1 : 0);
  if (const double t = parse_utc(str(ctx, "date")); t > 0)
    f.add("teebench_run_start_timestamp_seconds", MetricType::Gauge,
          "When the run started (Unix time)", run, t);
  if (checkpoint_time > 0)
    f.add("teebench_last_checkpoint_timestamp_seconds", MetricType::Gauge,
          "When the run last reported its figures (Unix time)", run, checkpoint_time);

  const auto cases = aggregate(results);
  double finished = 0;
  for (const auto& c : results["cases"]) finished += c.value("complete", false) ? 1 : 0;
  f.add("teebench_run_cases_finished", MetricType::Gauge,
        "Cases (repetitions included) the run has finished", run, finished);

  for (const auto& c : cases) {
    const Labels cl =
        with(run, {{"scenario", c.scenario}, {"case", c.label}, {"profile", c.profile}});
    f.add("teebench_case_duration_seconds", MetricType::Gauge,
          "Measured time of the case so far (repetitions added up)", cl, c.duration_s);
    for (const auto& s : kStackCounters) {
      const auto v = c.counters.find(s.key);
      if (v == c.counters.end()) continue;
      f.add(s.name, s.type, s.help, s.reason ? with(cl, {{"reason", s.reason}}) : cl, v->second);
    }
    if (const auto v = c.counters.find("secure_threads_busy"); v != c.counters.end())
      f.add("teebench_secure_threads_busy", MetricType::Gauge,
            "OP-TEE threads not FREE (ACTIVE or SUSPENDED)", cl, v->second);
    if (const auto v = c.counters.find("secure_threads_suspended"); v != c.counters.end())
      f.add("teebench_secure_threads_suspended", MetricType::Gauge,
            "OP-TEE threads SUSPENDED in an RPC to the normal world", cl, v->second);
    for (const auto& [guest, values] : c.guest_counters) {
      const Labels gl = with(cl, {{"guest", guest}});
      if (const auto v = values.find("xen_pinned_pages"); v != values.end())
        f.add("teebench_xen_guest_pinned_pages", MetricType::Gauge,
              "Guest pages Xen's mediator keeps pinned for OP-TEE", gl, v->second);
      if (const auto v = values.find("xen_shm_buffers"); v != values.end())
        f.add("teebench_xen_guest_shm_buffers", MetricType::Gauge,
              "Shared buffers Xen's mediator tracks for the guest", gl, v->second);
    }
    double failed = 0;
    for (const auto& [name, outcome] : c.verdicts) {
      f.add("teebench_verdict_outcome", MetricType::Gauge,
            "1 for each verdict of a case or run, with its outcome (pass, fail, skipped)",
            with(cl, {{"verdict", name}, {"outcome", outcome}}), 1);
      failed += outcome == "fail";
    }
    f.add("teebench_verdicts_failed", MetricType::Gauge,
          "Verdicts of the case (or of the whole run, without a case label) that failed", cl,
          failed);

    for (const auto& o : c.ops) {
      const Labels ol = with(cl, {{"group", o.group}, {"op", o.op}, {"guest", o.guest}});
      ClientMetric h = Families::metric(ol);
      uint64_t cumulative = 0;
      const auto& bounds = latency_buckets();
      for (size_t i = 0; i < bounds.size(); ++i) {
        cumulative += o.latency.per_bound[i];
        h.histogram.bucket.push_back({cumulative, bounds[i]});
      }
      h.histogram.bucket.push_back({o.latency.count, std::numeric_limits<double>::infinity()});
      h.histogram.sample_count = o.latency.count;
      h.histogram.sample_sum = o.latency.sum_s;
      f.get("teebench_call_duration_seconds", MetricType::Histogram,
            "Latency of the calls that succeeded, from the intended start (open loop) or the "
            "call (closed loop) to its return")
          .metric.push_back(std::move(h));
      const char* calls_help = "Calls that returned, by result: ok or the error kind";
      f.add("teebench_calls_total", MetricType::Counter, calls_help, with(ol, {{"result", "ok"}}),
            static_cast<double>(o.ok));
      for (const auto& [kind, n] : o.errors)
        f.add("teebench_calls_total", MetricType::Counter, calls_help, with(ol, {{"result", kind}}),
              static_cast<double>(n));
      f.add("teebench_calls_in_flight", MetricType::Gauge,
            "Calls issued that have not returned yet", ol, static_cast<double>(o.in_flight));
      f.add("teebench_op_active_seconds", MetricType::Gauge,
            "How long the op's clients have been calling: calls_total / this is the throughput", ol,
            o.active_s);
      for (const auto& [client, n] : o.client_calls)
        f.add("teebench_client_calls_total", MetricType::Counter,
              "Successful calls of one client: a starved client stays flat",
              with(ol, {{"client", std::to_string(client)}}), static_cast<double>(n));
    }
  }
  // Verdicts over the whole run (a scenario's analysis across cases).
  double run_failed = 0;
  for (const auto& v : member(results, "verdicts")) {
    f.add("teebench_verdict_outcome", MetricType::Gauge,
          "1 for each verdict of a case or run, with its outcome (pass, fail, skipped)",
          with(run, {{"verdict", str(v, "name")}, {"outcome", str(v, "outcome")}}), 1);
    run_failed += str(v, "outcome") == "fail";
  }
  f.add("teebench_verdicts_failed", MetricType::Gauge,
        "Verdicts of the case (or of the whole run, without a case label) that failed", run,
        run_failed);
  return f.take();
}

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string to_text(const std::vector<MetricFamily>& families) {
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace metrics
