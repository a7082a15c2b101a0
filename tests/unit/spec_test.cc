// Workload validation: every kind of mistake is rejected before anything runs, on one line as
// "FILE: $.json.path: what is wrong".
#include "workloads/spec.h"

#include <gtest/gtest.h>

namespace {

using nlohmann::json;

json valid() {
  return json::parse(R"({
    "name": "t", "duration_s": 1,
    "groups": [{"name": "g", "clients": 2, "mix": [{"op": "memref_read", "size": 4096}]}]
  })");
}

struct Bad {
  const char* what;
  std::function<void(json&)> edit;
  const char* message;
};

void PrintTo(const Bad& b, std::ostream* os) { *os << b.what; }

class Validation : public ::testing::TestWithParam<Bad> {};

TEST_P(Validation, RejectsWithPathAndReason) {
  json doc = valid();
  GetParam().edit(doc);
  try {
    workloads::parse_workload("w.json", doc);
    FAIL() << "accepted";
  } catch (const workloads::SpecError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind("w.json: $", 0), 0u) << msg;
    EXPECT_NE(msg.find(GetParam().message), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(
    EveryKind, Validation,
    ::testing::Values(
        Bad{"unknown_field", [](json& d) { d["durration_s"] = 1; }, "$.durration_s: unknown field"},
        Bad{"unknown_nested_field", [](json& d) { d["groups"][0]["mix"][0]["sise"] = 1; },
            "$.groups[0].mix[0].sise: unknown field"},
        Bad{"wrong_type", [](json& d) { d["duration_s"] = "ten"; },
            "$.duration_s: expected a number, got a string"},
        Bad{"wrong_type_integer", [](json& d) { d["groups"][0]["clients"] = 1.5; },
            "$.groups[0].clients: expected a non-negative integer"},
        Bad{"impossible_value", [](json& d) { d["groups"][0]["clients"] = 2000; },
            "$.groups[0].clients: 2000 is outside 0..1024"},
        Bad{"nothing_runs", [](json& d) { d["groups"][0]["clients"] = 0; },
            "$.groups: every group has 0 clients"},
        Bad{"negative_duration", [](json& d) { d["duration_s"] = -1; },
            "$.duration_s: -1 is outside"},
        Bad{"missing_required", [](json& d) { d.erase("name"); }, "$.name: is required"},
        Bad{"duration_and_operations", [](json& d) { d["operations"] = 10; },
            "$.operations: give either duration_s or operations, not both"},
        Bad{"neither_duration_nor_operations", [](json& d) { d.erase("duration_s"); },
            "$.duration_s: give duration_s or operations"},
        Bad{"unknown_op", [](json& d) { d["groups"][0]["mix"][0]["op"] = "frobnicate"; },
            "$.groups[0].mix[0].op: 'frobnicate' is not one of"},
        Bad{"unknown_memory_mode", [](json& d) { d["groups"][0]["mix"][0]["memory"] = "magic"; },
            "$.groups[0].mix[0].memory: 'magic' is not one of static, registered, tmpref, copy"},
        Bad{"zero_size", [](json& d) { d["groups"][0]["mix"][0]["size"] = 0; },
            "$.groups[0].mix[0].size: a size must be an integer"},
        Bad{"empty_mix", [](json& d) { d["groups"][0]["mix"] = json::array(); },
            "$.groups[0].mix: expected a non-empty array"},
        Bad{"duplicate_group", [](json& d) { d["groups"].push_back(d["groups"][0]); },
            "$.groups[1].name: duplicate group name 'g'"},
        Bad{"stop_before_start",
            [](json& d) {
              d["groups"][0]["start_s"] = 0.5;
              d["groups"][0]["stop_s"] = 0.2;
            },
            "$.groups[0].stop_s: must be after start_s"},
        Bad{"stop_after_end", [](json& d) { d["groups"][0]["stop_s"] = 5; },
            "$.groups[0].stop_s: is after the end of the run"},
        Bad{"open_loop_without_rate",
            [](json& d) {
              d["groups"][0]["pacing"] = {{"mode", "open"}};
            },
            "$.groups[0].pacing.rate_per_s: is required"},
        Bad{"ramp_beyond_clients",
            [](json& d) {
              d["groups"][0]["pacing"] = {{"ramp", {{"steps", {1, 4}}, {"step_s", 1}}}};
            },
            "$.groups[0].pacing.ramp.steps[1]: more active clients than the group's 2"},
        Bad{"bad_sweep",
            [](json& d) {
              d["sweep"] = {{"stack.threads", 2}};
            },
            "$.sweep: expected an array"},
        Bad{"sweep_sets_bad_value",
            [](json& d) {
              d["sweep"] = json::array({{{"groups.g.clients", {1, -3}}}});
            },
            "$.groups[0].clients: expected a non-negative integer"},
        Bad{"not_an_object", [](json& d) { d = json::array(); },
            "$: a workload must be a JSON object"}));

TEST(Sweep, CartesianProductWithLabels) {
  json doc = valid();
  doc["sweep"] = json::array(
      {{{"stack.threads", {2, 4}}},
       {{"mode",
         {{{"label", "a"}, {"groups.g.clients", 1}}, {{"label", "b"}, {"groups.g.clients", 3}}}}}});
  const auto w = workloads::parse_workload("w.json", doc);
  ASSERT_EQ(w.cases.size(), 4u);
  EXPECT_EQ(w.cases[0].label, "threads=2 mode=a");
  EXPECT_EQ(w.cases[3].label, "threads=4 mode=b");
  EXPECT_EQ(w.cases[3].spec.groups[0].clients, 3u);
  EXPECT_EQ(w.cases[3].spec.stack["threads"], 4);
}

TEST(Overrides, SetStackKnobsAndWorkloadFields) {
  const auto w = workloads::parse_workload(
      "w.json", valid(), {"threads=8", "duration_s=2.5", "groups.g.clients=5", "driver=pre-6.8"});
  const auto& s = w.cases[0].spec;
  EXPECT_EQ(s.stack["threads"], 8);
  EXPECT_EQ(s.stack["driver"], "pre-6.8");
  EXPECT_DOUBLE_EQ(*s.duration_s, 2.5);
  EXPECT_EQ(s.groups[0].clients, 5u);
  EXPECT_THROW(workloads::parse_workload("w.json", valid(), {"groups.nosuch.clients=1"}),
               workloads::SpecError);
}

TEST(Files, MissingAndMalformed) {
  EXPECT_THROW(workloads::load_workload("/nonexistent/w.json"), workloads::SpecError);
  const std::string path = ::testing::TempDir() + "/malformed.json";
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("{\"name\": \"x\",", f);
  std::fclose(f);
  try {
    workloads::load_workload(path);
    FAIL();
  } catch (const workloads::SpecError& e) {
    EXPECT_NE(std::string(e.what()).find("$: not valid JSON"), std::string::npos);
  }
}

}  // namespace
