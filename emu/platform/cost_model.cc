#include "emu/platform/cost_model.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "emu/platform/counter.h"

#ifndef TEEBENCH_PROFILE_DIR
#error "TEEBENCH_PROFILE_DIR must point at emu/platform/profiles"
#endif

namespace emu::platform {
namespace {

Profile parse_profile(const nlohmann::json& j, const std::string& where) {
  auto fail = [&](const std::string& what) {
    throw std::runtime_error(where + ": " + what + " (see emu/platform/profiles/README.md)");
  };
  if (!j.is_object()) fail("a profile must be a JSON object");
  Profile p;
  p.name = j.value("name", "");
  if (p.name.empty()) fail("$.name is missing");
  p.description = j.value("description", "");
  const auto& costs = j.at("costs");
  for (const auto& [key, val] : costs.items()) {
    size_t i = 0;
    while (i < kCostNames.size() && kCostNames[i] != key) ++i;
    if (i == kCostNames.size()) fail("$.costs." + key + ": unknown cost");
    if (!val.is_object() || !val.contains("ns") || !val["ns"].is_number_unsigned())
      fail("$.costs." + key + ": needs {\"ns\": unsigned, \"source\": string}");
    if (!val.contains("source") || !val["source"].is_string() ||
        val["source"].get<std::string>().empty())
      fail("$.costs." + key + ".source: every value needs its source");
    p.costs[i] = CostValue{val["ns"].get<uint64_t>(), val["source"].get<std::string>()};
  }
  return p;
}

}  // namespace

std::string profiles_dir() { return TEEBENCH_PROFILE_DIR; }

Profile load_profile(const std::string& name_or_path) {
  std::filesystem::path path(name_or_path);
  if (name_or_path.find('/') == std::string::npos && path.extension() != ".json")
    path = std::filesystem::path(profiles_dir()) / (name_or_path + ".json");
  std::error_code ec;
  std::ifstream in;
  if (std::filesystem::is_regular_file(path, ec)) in.open(path);
  if (!in.is_open() || !in)
    throw std::runtime_error("profile '" + name_or_path + "': no readable file at " +
                             path.string() +
                             ": use a bundled name (none, juno-a57) or a path to a JSON file");
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) throw std::runtime_error(path.string() + ": not valid JSON");
  try {
    return parse_profile(j, path.string());
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path.string() + ": " + e.what());
  }
}

CostModel::CostModel(Profile profile) : profile_(std::move(profile)) {
  for (size_t i = 0; i < ns_.size(); ++i) ns_[i] = profile_.costs[i].ns;
}

void CostModel::spin(uint64_t ns) {
  const uint64_t end = counter_ns() + ns;
  while (counter_ns() < end) {
  }
}

}  // namespace emu::platform
