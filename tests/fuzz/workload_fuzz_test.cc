// Seeded mutation of the bundled workloads and of --set values (run under ASan+UBSan in the
// sanitizer configuration): whatever the document, loading it either gives cases that every
// up-front check accepts, or throws SpecError naming the file and the JSON path. Never a crash,
// never another exception. libFuzzer would need clang and its own build; a seeded loop runs in
// every configuration ctest has and is reproducible by its seed.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "reports/json_input.h"
#include "workloads/runner.h"
#include "workloads/spec.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Values a user could put anywhere: wrong types, edges, huge and negative numbers, nesting.
json random_value(std::mt19937_64& rng) {
  switch (rng() % 14) {
    case 0:
      return nullptr;
    case 1:
      return static_cast<bool>(rng() & 1);
    case 2:
      return -static_cast<int64_t>(rng() % 1000000);
    case 3:
      return 0;
    case 4:
      return rng();  // up to 2^64-1
    case 5:
      return static_cast<double>(rng() % 100000) / 7.0;
    case 6:
      return 1e308;
    case 7:
      return "";
    case 8:
      return "../../x";
    case 9:
      return std::string(1 + rng() % 300, static_cast<char>('a' + rng() % 26));
    case 10:
      return json::array({1, "two", nullptr});
    case 11:
      return json::object({{"k", rng() % 5}});
    case 12:
      return json::array();
    default:
      return static_cast<int64_t>(rng() % 5000);
  }
}

// Every (pointer, value) in the document, to pick a place to mutate.
void places(const json& j, const json::json_pointer& at, std::vector<json::json_pointer>& out) {
  out.push_back(at);
  if (j.is_object())
    for (const auto& [k, v] : j.items()) places(v, at / k, out);
  else if (j.is_array())
    for (size_t i = 0; i < j.size(); ++i) places(j[i], at / i, out);
}

void mutate(json& doc, std::mt19937_64& rng) {
  std::vector<json::json_pointer> all;
  places(doc, json::json_pointer(), all);
  const auto& at = all[rng() % all.size()];
  json& target = doc[at];
  switch (rng() % 5) {
    case 0:  // replace the value
      if (!at.empty()) target = random_value(rng);
      break;
    case 1:  // remove it
      if (!at.empty())
        doc[at.parent_pointer()].is_object()
            ? static_cast<void>(doc[at.parent_pointer()].erase(at.back()))
            : static_cast<void>(doc[at.parent_pointer()].erase(std::stoul(at.back())));
      break;
    case 2:  // add an unknown or known field
      if (target.is_object()) {
        static const char* kKeys[] = {"clients", "start_s",    "stop_s", "sweep",
                                      "ramp",    "guest",      "size",   "repetitions",
                                      "bogus",   "interval_s", "mix"};
        target[kKeys[rng() % std::size(kKeys)]] = random_value(rng);
      }
      break;
    case 3:  // duplicate an array element (duplicate group names, longer mixes)
      if (target.is_array() && !target.empty()) target.push_back(target[rng() % target.size()]);
      break;
    default:  // nest it
      target = json::array({target});
      break;
  }
}

std::vector<std::string> random_sets(std::mt19937_64& rng) {
  static const char* kPaths[] = {"duration_s",
                                 "threads",
                                 "groups.0.clients",
                                 "stack.guests",
                                 "sweep",
                                 "groups.9.name",
                                 "warmup_s",
                                 "defect",
                                 "profile",
                                 "groups.0.mix.0.size",
                                 "hypervisor",
                                 ".",
                                 "a..b"};
  std::vector<std::string> out;
  for (size_t n = rng() % 3; n > 0; --n) {
    std::string v = random_value(rng).dump();
    if (rng() % 4 == 0) v = std::string(rng() % 200, '[');
    out.push_back(std::string(kPaths[rng() % std::size(kPaths)]) + "=" + v);
  }
  return out;
}

TEST(WorkloadFuzz, MutatedWorkloadsLoadOrFailWithAPathNamedMessage) {
  std::vector<std::pair<std::string, json>> seeds;
  for (const auto& e : fs::directory_iterator(TEEBENCH_WORKLOAD_DIR))
    if (e.path().extension() == ".json") {
      const json doc = reports::parse_json(reports::read_text_file(e.path().string()));
      if (!doc.contains("include")) seeds.emplace_back(e.path().filename().string(), doc);
    }
  ASSERT_GE(seeds.size(), 5u);
  // Fixed seed: a failure is reproduced by running the test again. TEEBENCH_FUZZ_SEED and
  // TEEBENCH_FUZZ_INPUTS explore further by hand.
  const char* seed_env = std::getenv("TEEBENCH_FUZZ_SEED");
  const char* inputs_env = std::getenv("TEEBENCH_FUZZ_INPUTS");
  std::mt19937_64 rng(seed_env ? std::strtoull(seed_env, nullptr, 10) : 20261205);
  // Enough inputs to reach every field of every bundled workload many times over (0.4 s per
  // 4000 in the release build). Under ASan a fifth of them: 20 000 took 58 s there, the longest
  // test of the CI's ASan pass, and 4000 still reach every field.
#if defined(TEEBENCH_ASAN)
  constexpr int kDefaultInputs = 4000;
#else
  constexpr int kDefaultInputs = 20000;
#endif
  const int kInputs = inputs_env ? std::atoi(inputs_env) : kDefaultInputs;
  const auto t0 = std::chrono::steady_clock::now();
  int loaded = 0, refused = 0;
  for (int i = 0; i < kInputs; ++i) {
    auto [name, doc] = seeds[rng() % seeds.size()];
    for (size_t m = 1 + rng() % 4; m > 0; --m) mutate(doc, rng);
    const std::string file = "fuzz/" + name;
    const auto sets = random_sets(rng);
    try {
      const workloads::Workload w = workloads::parse_workload(file, doc, sets);
      for (const auto& c : w.cases) {
        targets::TargetSpec t;
        (void)workloads::resolve_target(c.spec, targets::TargetSpec{}, &t);
        (void)workloads::estimated_bytes(c.spec);
      }
      ++loaded;
    } catch (const workloads::SpecError& e) {
      ++refused;
      // Named by the file and its JSON path, or by the --set that caused it.
      const std::string what = e.what();
      ASSERT_TRUE(what.starts_with(file + ": ") || what.starts_with("--set "))
          << "input " << i << ": not path-named: " << what;
    } catch (const std::exception& e) {
      FAIL() << "input " << i << " threw " << typeid(e).name() << ": " << e.what() << "\n"
             << doc.dump().substr(0, 2000);
    }
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("workload fuzz: %d inputs in %.2f s (%d loaded, %d refused with a path)\n", kInputs,
              s, loaded, refused);
  EXPECT_GT(loaded, 0);
  EXPECT_GT(refused, 0);
}

}  // namespace
