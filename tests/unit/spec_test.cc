// Workload validation: every kind of mistake is rejected before anything runs, on one line as
// "FILE: $.json.path: what is wrong".
#include "workloads/spec.h"

#include "workloads/scenarios/scenario.h"

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
  EXPECT_EQ(w.cases[3].spec.stack["CFG_NUM_THREADS"], 4);
}

TEST(Overrides, SetStackKnobsAndWorkloadFields) {
  const auto w = workloads::parse_workload(
      "w.json", valid(), {"threads=8", "duration_s=2.5", "groups.g.clients=5", "driver=pre-6.8"});
  const auto& s = w.cases[0].spec;
  EXPECT_EQ(s.stack["CFG_NUM_THREADS"], 8);
  EXPECT_EQ(s.stack["driver"], "pre-6.8");
  EXPECT_DOUBLE_EQ(*s.duration_s, 2.5);
  EXPECT_EQ(s.groups[0].clients, 5u);
  EXPECT_THROW(workloads::parse_workload("w.json", valid(), {"groups.nosuch.clients=1"}),
               workloads::SpecError);
}

// The message of the SpecError `f` throws ("" if it does not throw).
template <typename F>
std::string spec_error(F f) {
  try {
    f();
  } catch (const workloads::SpecError& e) {
    return e.what();
  }
  return "";
}

TEST(Knobs, AKnobHasOneKeyWhateverItsSpelling) {
  json doc = valid();
  doc["stack"] = {{"threads", 4}, {"dyn_shm", "y"}};
  const auto w = workloads::parse_workload("w.json", doc);
  EXPECT_EQ(w.cases[0].spec.stack, json({{"CFG_NUM_THREADS", 4}, {"CFG_CORE_DYN_SHM", "y"}}));
}

TEST(Knobs, SetWinsOverTheFileUnderEitherName) {
  json doc = valid();
  doc["stack"] = {{"threads", 4}};
  for (const char* set : {"CFG_NUM_THREADS=8", "threads=8", "stack.threads=8"}) {
    const auto w = workloads::parse_workload("w.json", doc, {set});
    EXPECT_EQ(w.cases[0].spec.stack, json({{"CFG_NUM_THREADS", 8}})) << set;
  }
  // Later --set wins over earlier, across names.
  const auto w = workloads::parse_workload("w.json", doc, {"threads=2", "CFG_NUM_THREADS=3"});
  EXPECT_EQ(w.cases[0].spec.stack["CFG_NUM_THREADS"], 3);
}

TEST(Knobs, TwoNamesOfOneKnobInAFileAreRefused) {
  json doc = valid();
  doc["stack"] = {{"threads", 4}, {"CFG_NUM_THREADS", 8}};
  const std::string e = spec_error([&] { workloads::parse_workload("w.json", doc); });
  EXPECT_NE(e.find("w.json: $.stack:"), std::string::npos) << e;
  EXPECT_NE(e.find("same knob (CFG_NUM_THREADS)"), std::string::npos) << e;
}

TEST(Knobs, ASetTypoOrBadValueIsBlamedOnTheSet) {
  const std::string typo =
      spec_error([] { workloads::parse_workload("bundled.json", valid(), {"thraeds=4"}); });
  EXPECT_TRUE(typo.starts_with("--set thraeds=4: unknown setting 'thraeds'")) << typo;
  EXPECT_EQ(typo.find("bundled.json"), std::string::npos) << typo;
  const std::string bad =
      spec_error([] { workloads::parse_workload("bundled.json", valid(), {"threads=many"}); });
  EXPECT_TRUE(bad.starts_with("--set threads=many: threads: 'many' is not a number")) << bad;
}

TEST(Knobs, SetOfASweptKnobIsRefused) {
  json doc = valid();
  doc["sweep"] = json::array({{{"stack.threads", {2, 4}}}});
  const std::string e =
      spec_error([&] { workloads::parse_workload("w.json", doc, {"CFG_NUM_THREADS=8"}); });
  EXPECT_NE(e.find("the sweep varies stack.CFG_NUM_THREADS, which --set also sets"),
            std::string::npos)
      << e;
  // An unrelated --set beside the sweep is fine.
  EXPECT_EQ(workloads::parse_workload("w.json", doc, {"duration_s=1"}).cases.size(), 2u);
}

workloads::WorkloadSpec with_groups(const char* scenario, json groups) {
  json doc = valid();
  doc["scenario"] = scenario;
  doc["groups"] = std::move(groups);
  return workloads::parse_workload("w.json", doc).cases[0].spec;
}

TEST(Roles, AScenarioThatNeedsARoleRefusesAWorkloadWithout) {
  const auto* exhaustion = workloads::find_scenario("exhaustion");
  ASSERT_NE(exhaustion, nullptr);
  // Named like the role, but without it: the name is the user's own and means nothing.
  const auto none = with_groups("exhaustion", json::parse(R"([{"name": "bulk", "clients": 4,
    "mix": [{"op": "wait", "ms": 1}]}])"));
  const std::string e = workloads::check_roles(none, *exhaustion);
  EXPECT_TRUE(e.starts_with("$.groups: scenario exhaustion analyses groups by role")) << e;
  EXPECT_NE(e.find("its roles: bulk, keepalive"), std::string::npos) << e;
  const auto named = with_groups("exhaustion", json::parse(R"([{"name": "flood", "role": "bulk",
    "clients": 4, "mix": [{"op": "wait", "ms": 1}]}])"));
  EXPECT_EQ(workloads::check_roles(named, *exhaustion), "");
  ASSERT_EQ(workloads::groups_with_role(named, "bulk").size(), 1u);
  EXPECT_EQ(workloads::groups_with_role(named, "bulk")[0]->name, "flood");
}

TEST(Roles, AnUnknownRoleIsRefusedWithTheList) {
  const auto typo = with_groups("exhaustion", json::parse(R"([{"name": "b", "role": "blk",
    "clients": 4, "mix": [{"op": "nop"}]}])"));
  const std::string e = workloads::check_roles(typo, *workloads::find_scenario("exhaustion"));
  EXPECT_TRUE(e.starts_with("$.groups[0].role: scenario exhaustion has no role 'blk'")) << e;
  const auto generic = with_groups("generic", json::parse(R"([{"name": "b", "role": "bulk",
    "clients": 1, "mix": [{"op": "nop"}]}])"));
  EXPECT_NE(
      workloads::check_roles(generic, *workloads::find_scenario("generic")).find("it has none"),
      std::string::npos);
}

TEST(Roles, EveryBundledScenarioListsWhatItsRolesMean) {
  for (const auto* s : workloads::scenarios()) {
    EXPECT_TRUE(!s->needs_role || !s->roles.empty()) << s->name;
    for (const auto& r : s->roles) EXPECT_FALSE(r.help.empty()) << s->name << "/" << r.name;
  }
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
