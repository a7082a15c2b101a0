// Workload validation: every kind of mistake is rejected before anything runs, on one line as
// "FILE: $.json.path: what is wrong".
#include "workloads/spec.h"

#include <gtest/gtest.h>

#include <set>

#include "workloads/scenarios/scenario.h"
#include "workloads/script.h"

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

// ---- scripts, topology, TA kinds (docs/workloads.md) --------------------------------------------

workloads::GroupSpec one_group(const char* group) {
  json doc = valid();
  doc["groups"] = json::array({json::parse(group)});
  return workloads::parse_workload("w.json", doc).cases[0].spec.groups[0];
}

TEST(Scripts, EachStepReportsUnderItsOwnNameAndTheTransactionLast) {
  const auto g = one_group(R"({"name": "app", "script": [{"op": "context_open"},
    {"op": "session_open"}, {"repeat": 3, "steps": [{"op": "nop"}, {"think_us": 10}]},
    {"op": "nop"}, {"op": "value", "name": "echo"}, {"op": "session_close"},
    {"op": "context_close"}]})");
  ASSERT_TRUE(g.script);
  std::vector<std::string> names;
  for (const auto& op : g.mix) names.push_back(op.name);
  EXPECT_EQ(names, (std::vector<std::string>{"context_open", "session_open", "nop", "nop.2", "echo",
                                             "session_close", "context_close", "transaction"}));
  EXPECT_TRUE(g.script->opens_context);
  EXPECT_FALSE(g.script->has_loop);
  EXPECT_EQ(g.script->transaction, g.mix.size() - 1);
  ASSERT_EQ(g.script->body.size(), 7u);
  EXPECT_EQ(g.script->body[2].kind, workloads::StepKind::kRepeat);
  EXPECT_EQ(g.script->body[2].times, 3u);
  EXPECT_EQ(g.script->body[2].body[1].kind, workloads::StepKind::kThink);
}

TEST(Scripts, ALoopSplitsSetupTransactionsAndTeardown) {
  const auto g = one_group(R"({"name": "daemon", "script": [{"op": "session_open"},
    {"loop": [{"op": "nop"}]}, {"op": "session_close"}]})");
  EXPECT_TRUE(g.script->has_loop);
  EXPECT_EQ(g.script->setup.size(), 1u);
  EXPECT_EQ(g.script->body.size(), 1u);
  EXPECT_EQ(g.script->teardown.size(), 1u);
}

TEST(Scripts, StepsThatCannotRunWhereTheyStandAreRefused) {
  const Bad bad[] = {
      {"an invoke before any session",
       [](json& d) {
         d["groups"][0] = json::parse(R"({"name": "a", "script": [{"op": "session_open"},
           {"op": "session_close"}, {"op": "nop"}]})");
       },
       "$.groups[0].script[2]: nop needs a session here"},
      {"a context closed with its session open",
       [](json& d) {
         d["groups"][0] = json::parse(R"({"name": "a", "script": [{"op": "context_open"},
           {"op": "session_open"}, {"op": "context_close"}]})");
       },
       "context_close: a session is still open here"},
      {"a script that does not end as it starts",
       [](json& d) {
         d["groups"][0] = json::parse(R"({"name": "a", "script": [{"op": "session_open"}]})");
       },
       "so it must end as it starts"},
      {"a repeat that opens without closing",
       [](json& d) {
         d["groups"][0] = json::parse(R"({"name": "a", "script": [{"op": "session_open"},
           {"repeat": 2, "steps": [{"op": "session_close"}]}]})");
       },
       "a repeat's steps must leave the client as they found it"},
      {"two loops",
       [](json& d) {
         d["groups"][0] = json::parse(R"({"name": "a", "script": [{"loop": [{"op": "nop"}]},
           {"loop": [{"op": "nop"}]}]})");
       },
       "at most one loop"},
      {"a context step in a process of threads",
       [](json& d) {
         d["groups"][0] = json::parse(R"({"name": "a", "threads": 2, "script": [
           {"op": "context_open"}, {"op": "context_close"}]})");
       },
       "the threads of a process share its context"},
      {"a session step with a shared session",
       [](json& d) {
         d["groups"][0] = json::parse(R"({"name": "a", "threads": 2, "session": "process",
           "script": [{"op": "session_open"}, {"op": "session_close"}]})");
       },
       "share one session per process"},
      {"a mix and a script",
       [](json& d) { d["groups"][0]["script"] = json::parse(R"([{"op": "nop"}])"); },
       "give a mix (operations drawn at random) or a script"},
      {"a script paced open loop",
       [](json& d) {
         d["groups"][0] = json::parse(R"({"name": "a", "pacing": {"mode": "open",
           "rate_per_s": 10}, "script": [{"op": "nop"}]})");
       },
       "a script runs closed loop"},
      {"a step named like the transaction",
       [](json& d) {
         d["groups"][0] = json::parse(R"({"name": "a", "script": [{"op": "nop",
           "name": "transaction"}]})");
       },
       "'transaction' is the script's own figure"},
      {"a lifecycle op in a mix",
       [](json& d) { d["groups"][0]["mix"][0] = json::parse(R"({"op": "session_open"})"); },
       "'session_open' is not one of open_close"},
      {"a single-instance TA held by two threads",
       [](json& d) {
         d["groups"][0] = json::parse(R"({"name": "a", "threads": 2, "ta": "single_instance",
           "mix": [{"op": "nop"}]})");
       },
       "ta single_instance takes one session at a time, and these groups hold 2"},
      {"processes and clients both", [](json& d) { d["groups"][0]["processes"] = 2; },
       "give processes or clients (its older name), not both"},
  };
  for (const auto& b : bad) {
    json doc = valid();
    b.edit(doc);
    const std::string e = spec_error([&] { workloads::parse_workload("w.json", doc); });
    EXPECT_NE(e.find(b.message), std::string::npos) << b.what << ": " << e;
  }
}

TEST(Topology, ProcessesTimesThreadsClientsWithTheirTaAndSession) {
  const auto g = one_group(R"({"name": "app", "processes": 3, "threads": 4,
    "session": "process", "ta": "keep_alive", "login": "user", "mix": [{"op": "nop"}]})");
  EXPECT_EQ(g.clients, 12u);
  EXPECT_EQ(g.threads, 4u);
  EXPECT_TRUE(g.shared_session);
  EXPECT_EQ(g.ta, client::BenchTa::kKeepAlive);
  EXPECT_EQ(g.login, client::Login::kUser);
  // One process holding the single-instance TA's one session for its threads is fine.
  EXPECT_EQ(one_group(R"({"name": "a", "threads": 2, "session": "process",
    "ta": "single_instance", "mix": [{"op": "nop"}]})")
                .clients,
            2u);
}

TEST(Topology, EveryTaKindHasItsOwnUuid) {
  std::set<std::string> uuids;
  for (const char* k :
       {"multi_instance", "single_instance", "multi_session", "keep_alive", "concurrent"}) {
    const auto kind = client::parse_bench_ta(k);
    ASSERT_TRUE(kind) << k;
    EXPECT_STREQ(client::to_string(*kind), k);
    uuids.insert(client::bench_ta_uuid(*kind).to_string());
  }
  EXPECT_EQ(uuids.size(), 5u);
  EXPECT_FALSE(client::parse_bench_ta("multi"));
}

}  // namespace
