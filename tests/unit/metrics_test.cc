// The Prometheus view of a results document (metrics/families.h), label checks, the Pushgateway
// client's grouping key and its behaviour against a port nobody listens on.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "metrics/families.h"
#include "metrics/pushgateway.h"
#include "metrics/sinks.h"
#include "reports/labels.h"

namespace {

using json = nlohmann::json;

json op(const std::string& group, const std::string& name, uint64_t count, uint64_t issued,
        json bins, json errors = json::object(), int guest = 1) {
  uint64_t err = 0;
  for (const auto& [k, v] : errors.items()) err += v.get<uint64_t>();
  double sum = 0;
  for (const auto& b : bins) sum += b[0].get<double>() * b[1].get<double>();
  return {{"group", group},
          {"op", name},
          {"guest", guest},
          {"count", count},
          {"issued", issued},
          {"error_total", err},
          {"errors", errors},
          {"duration_s", 2.0},
          {"histogram", {{"counts", bins}, {"sum", sum}, {"total", count}}},
          {"clients", {{{"client", 0}, {"count", count}}}}};
}

json results() {
  return {
      {"status", "running"},
      {"workload", {{"name", "w"}, {"scenario", "generic"}}},
      {"context",
       {{"target", "emu"},
        {"date", "2026-12-05T06:27:29Z"},
        {"host_name", "host1"},
        {"labels", {{"board", "rpi4"}}},
        {"device", {{"optee_revision", "4.9"}, {"profile", "none"}}}}},
      {"verdicts", {{{"name", "fit"}, {"outcome", "fail"}}}},
      {"cases",
       {{{"label", "a"},
         {"complete", true},
         {"duration_s", 2.0},
         {"params", {{"scenario", "shm"}}},
         {"counters",
          {{"secure_threads", 4},
           {"secure_threads_free", 1},
           {"secure_threads_suspended", 2},
           {"ethread_limit_returns", 7},
           {"guest2.xen_pinned_pages", 3}}},
         {"verdicts", {{{"name", "no_lost_calls"}, {"outcome", "pass"}}}},
         // 1000 ns (exact), 100 us, 2 s
         {"operations",
          {op("g", "nop", 6, 6, {{1000, 3}, {100000, 2}, {2000000000, 1}}, {{"EBUSY", 2}}, 2)}}},
        // The same case again (a repetition), still running: it adds up, with 3 in flight.
        {{"label", "a"},
         {"complete", false},
         {"duration_s", 1.0},
         {"params", {{"scenario", "shm"}}},
         {"counters", {{"ethread_limit_returns", 5}}},
         {"verdicts", {{{"name", "no_lost_calls"}, {"outcome", "fail"}}}},
         {"operations", {op("g", "nop", 4, 7, {{1000, 4}}, json::object(), 2)}}}}}};
}

const prometheus::MetricFamily* family(const std::vector<prometheus::MetricFamily>& fs,
                                       const std::string& name) {
  for (const auto& f : fs)
    if (f.name == name) return &f;
  return nullptr;
}

std::string label(const prometheus::ClientMetric& m, const std::string& name) {
  for (const auto& l : m.label)
    if (l.name == name) return l.value;
  return "";
}

TEST(MetricFamilies, RepetitionsAddUpAndEveryOpIsAHistogramWithCounts) {
  const auto fs = metrics::families(results());
  const auto* h = family(fs, "teebench_call_duration_seconds");
  ASSERT_NE(h, nullptr);
  ASSERT_EQ(h->metric.size(), 1u);
  const auto& m = h->metric[0];
  EXPECT_EQ(m.histogram.sample_count, 10u);
  EXPECT_NEAR(m.histogram.sample_sum, (7 * 1000 + 2 * 100000 + 2e9) / 1e9, 1e-9);
  // Cumulative, ending in +Inf with the count.
  uint64_t prev = 0;
  for (const auto& b : m.histogram.bucket) {
    EXPECT_GE(b.cumulative_count, prev);
    prev = b.cumulative_count;
  }
  EXPECT_TRUE(std::isinf(m.histogram.bucket.back().upper_bound));
  EXPECT_EQ(m.histogram.bucket.back().cumulative_count, 10u);
  auto at = [&](double le) {
    for (const auto& b : m.histogram.bucket)
      if (std::abs(b.upper_bound - le) < le * 1e-9) return b.cumulative_count;
    ADD_FAILURE() << "no bucket " << le;
    return uint64_t{0};
  };
  EXPECT_EQ(at(1e-6), 7u);  // 1000 ns is counted at its own bound (le is inclusive)
  EXPECT_EQ(at(6.8e-7), 0u);
  EXPECT_EQ(at(1e-4), 9u);
  EXPECT_EQ(at(1.5), 9u);
  EXPECT_EQ(at(2.2), 10u);
  EXPECT_EQ(label(m, "guest"), "2");
  EXPECT_EQ(label(m, "scenario"), "shm");
  EXPECT_EQ(label(m, "board"), "rpi4");
  EXPECT_EQ(label(m, "optee_version"), "4.9");  // from the device when the user gave none
  EXPECT_EQ(label(m, "profile"), "none");

  const auto* calls = family(fs, "teebench_calls_total");
  ASSERT_EQ(calls->metric.size(), 2u);
  EXPECT_EQ(label(calls->metric[0], "result"), "ok");
  EXPECT_EQ(calls->metric[0].counter.value, 10);
  EXPECT_EQ(label(calls->metric[1], "result"), "EBUSY");
  EXPECT_EQ(calls->metric[1].counter.value, 2);
  EXPECT_EQ(family(fs, "teebench_calls_in_flight")->metric[0].gauge.value, 3);
  EXPECT_EQ(family(fs, "teebench_op_active_seconds")->metric[0].gauge.value, 4);
}

TEST(MetricFamilies, StackCountersVerdictsAndRunInfo) {
  const auto fs = metrics::families(results(), {{"optee_version", "4.9.0-rc1"}}, 1234);
  // Counters add up over repetitions; gauges keep the last reading.
  EXPECT_EQ(family(fs, "teebench_ethread_limit_returns_total")->metric[0].counter.value, 12);
  EXPECT_EQ(family(fs, "teebench_secure_threads")->metric[0].gauge.value, 4);
  EXPECT_EQ(family(fs, "teebench_secure_threads_busy")->metric[0].gauge.value, 3);
  EXPECT_EQ(family(fs, "teebench_secure_threads_suspended")->metric[0].gauge.value, 2);
  const auto* pinned = family(fs, "teebench_xen_guest_pinned_pages");
  ASSERT_NE(pinned, nullptr);
  EXPECT_EQ(label(pinned->metric[0], "guest"), "2");
  // A verdict that failed in one repetition failed; the run's own verdict has no case label.
  const auto* failed = family(fs, "teebench_verdicts_failed");
  ASSERT_EQ(failed->metric.size(), 2u);
  EXPECT_EQ(failed->metric[0].gauge.value, 1);
  EXPECT_EQ(failed->metric[1].gauge.value, 1);
  EXPECT_EQ(label(failed->metric[1], "case"), "");
  const auto* info = family(fs, "teebench_run_info");
  EXPECT_EQ(label(info->metric[0], "status"), "running");
  EXPECT_EQ(label(info->metric[0], "case"), "a");                   // the case running now
  EXPECT_EQ(label(info->metric[0], "optee_version"), "4.9.0-rc1");  // the user's wins
  EXPECT_EQ(label(info->metric[0], "optee_revision"), "4.9");
  EXPECT_EQ(family(fs, "teebench_run_running")->metric[0].gauge.value, 1);
  EXPECT_EQ(family(fs, "teebench_last_checkpoint_timestamp_seconds")->metric[0].gauge.value, 1234);
  EXPECT_EQ(family(fs, "teebench_run_start_timestamp_seconds")->metric[0].gauge.value, 1796452049);
  // Nothing but our names, and the text format has HELP and TYPE for each.
  const std::string text = metrics::to_text(fs);
  for (const auto& f : fs) {
    EXPECT_EQ(f.name.rfind("teebench_", 0), 0u) << f.name;
    EXPECT_NE(text.find("# TYPE " + f.name), std::string::npos) << f.name;
  }
}

TEST(MetricFamilies, LatencyBucketsSpan100nsTo68sInE6Steps) {
  const auto& b = metrics::latency_buckets();
  ASSERT_EQ(b.size(), 54u);
  EXPECT_DOUBLE_EQ(b.front(), 1e-7);
  EXPECT_DOUBLE_EQ(b.back(), 68);
  for (size_t i = 1; i < b.size(); ++i) {
    EXPECT_GT(b[i] / b[i - 1], 1.3);
    EXPECT_LT(b[i] / b[i - 1], 1.6);
  }
}

TEST(MetricFamilies, NotAResultsDocumentThrows) {
  EXPECT_THROW(metrics::families(json{{"name", "x"}}), std::invalid_argument);
  EXPECT_THROW(metrics::families(json::array()), std::invalid_argument);
}

TEST(Labels, NamesAndValuesPrometheusAndThePushgatewayAccept) {
  EXPECT_EQ(reports::check_label("optee_version", "4.9.0"), "");
  EXPECT_EQ(reports::check_label("board", "lab/rack 3 — ünïcode"), "");
  EXPECT_NE(reports::check_label("9board", "x"), "");
  EXPECT_NE(reports::check_label("bo-ard", "x"), "");
  EXPECT_NE(reports::check_label("__x", "x"), "");
  EXPECT_NE(reports::check_label("le", "x"), "");
  EXPECT_NE(reports::check_label("instance", "x"), "");
  EXPECT_NE(reports::check_label("board", ""), "");
  EXPECT_NE(reports::check_label("board", "a\nb"), "");
  EXPECT_NE(reports::check_label("board", "\xc3"), "");          // cut short
  EXPECT_NE(reports::check_label("board", "\xc0\xaf"), "");      // overlong '/'
  EXPECT_NE(reports::check_label("board", "\xed\xa0\x80"), "");  // a surrogate
  EXPECT_NE(reports::check_label("board", std::string(300, 'x')), "");
  std::map<std::string, std::string> out;
  EXPECT_EQ(reports::add_label("kernel_rev=6.1=lts", &out), "");
  EXPECT_EQ(out["kernel_rev"], "6.1=lts");
  EXPECT_NE(reports::add_label("novalue", &out), "");
}

TEST(Pushgateway, GroupingKeyValuesThatAreNotPlainAreBase64) {
  EXPECT_EQ(metrics::grouping_segment("board", "rpi4-1.2_x"), "/board/rpi4-1.2_x");
  EXPECT_EQ(metrics::grouping_segment("board", "lab/rack3"), "/board@base64/bGFiL3JhY2sz");
  EXPECT_EQ(metrics::grouping_segment("k", "a"), "/k/a");
  EXPECT_EQ(metrics::grouping_segment("k", "?"), "/k@base64/Pw==");
  const metrics::Pushgateway gw("http://pg:9091/", "teebench",
                                {{"instance", "h"}, {"board", "lab/1"}});
  EXPECT_EQ(gw.group_url(), "http://pg:9091/metrics/job/teebench/board@base64/bGFiLzE=/instance/h");
  EXPECT_THROW(metrics::Pushgateway("pg:9091", "j", {}), std::invalid_argument);
  EXPECT_THROW(metrics::Pushgateway("http://:9091", "j", {}), std::invalid_argument);
}

TEST(Pushgateway, RefusedConnectionIsAnErrorAfterTheGivenTries) {
  const metrics::Pushgateway gw("http://127.0.0.1:9", "teebench", {{"instance", "h"}});
  const auto r = gw.put("x 1\n", 2, std::chrono::milliseconds(10));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.attempts, 2);
  EXPECT_NE(r.error.find("127.0.0.1:9"), std::string::npos) << r.error;
}

TEST(Pushgateway, GroupingKeyIsInstanceWorkloadAndTheUsersLabels) {
  const auto key = metrics::grouping_key(results(), {{"kernel", "6.1"}});
  EXPECT_EQ(key,
            (std::map<std::string, std::string>{
                {"board", "rpi4"}, {"instance", "host1"}, {"kernel", "6.1"}, {"workload", "w"}}));
}

TEST(Serve, ListenAddressDefaultsToLoopback) {
  EXPECT_EQ(metrics::listen_address("9464"), "127.0.0.1:9464");
  EXPECT_EQ(metrics::listen_address("0.0.0.0:0"), "0.0.0.0:0");
  EXPECT_THROW(metrics::listen_address("65536"), std::invalid_argument);
  EXPECT_THROW(metrics::listen_address("x"), std::invalid_argument);
  EXPECT_THROW(metrics::listen_address(":80"), std::invalid_argument);
}

}  // namespace
