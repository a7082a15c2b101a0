// Reads a workload's JSON objects field by field: every error names the file, the JSON path and
// the problem, and a field nobody asked for is rejected as unknown (a typo is not ignored).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include "workloads/spec.h"

namespace workloads::spec_reader {

using nlohmann::json;

inline const char* type_name(const json& j) {
  switch (j.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::string:
      return "a string";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    default:
      return "a number";
  }
}

// Reads one JSON object, remembering which fields were used so unknown ones are rejected.
class Obj {
 public:
  Obj(const json& j, std::string path, const std::string& file)
      : j_(j), path_(std::move(path)), file_(file) {
    if (!j_.is_object()) fail(path_, std::string("expected an object, got ") + type_name(j_));
  }
  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw SpecError(file_ + ": " + path + ": " + what);
  }
  std::string at(const std::string& key) const { return path_ + "." + key; }
  bool has(const std::string& key) {
    known_.insert(key);
    return j_.contains(key);
  }
  const json& raw(const std::string& key) {
    known_.insert(key);
    if (!j_.contains(key)) fail(at(key), "is required");
    return j_.at(key);
  }
  std::string str(const std::string& key, std::optional<std::string> def = std::nullopt) {
    if (!has(key)) return def ? *def : (fail(at(key), "is required"), "");
    const json& v = j_.at(key);
    if (!v.is_string()) fail(at(key), std::string("expected a string, got ") + type_name(v));
    return v.get<std::string>();
  }
  double num(const std::string& key, double min, double max, std::optional<double> def = {}) {
    if (!has(key)) return def ? *def : (fail(at(key), "is required"), 0.0);
    const json& v = j_.at(key);
    if (!v.is_number()) fail(at(key), std::string("expected a number, got ") + type_name(v));
    const double x = v.get<double>();
    if (x < min || x > max) {
      std::ostringstream os;
      os << x << " is outside " << min << ".." << max;
      fail(at(key), os.str());
    }
    return x;
  }
  uint64_t integer(const std::string& key, uint64_t min, uint64_t max,
                   std::optional<uint64_t> def = {}) {
    if (!has(key)) return def ? *def : (fail(at(key), "is required"), 0);
    const json& v = j_.at(key);
    if (!v.is_number_integer() || (!v.is_number_unsigned() && v.get<int64_t>() < 0))
      fail(at(key), std::string("expected a non-negative integer, got ") +
                        (v.is_number() ? std::string("'") + v.dump() + "'" : type_name(v)));
    const uint64_t x = v.get<uint64_t>();
    if (x < min || x > max)
      fail(at(key),
           std::to_string(x) + " is outside " + std::to_string(min) + ".." + std::to_string(max));
    return x;
  }
  bool boolean(const std::string& key, bool def) {
    if (!has(key)) return def;
    const json& v = j_.at(key);
    if (!v.is_boolean()) fail(at(key), std::string("expected true or false, got ") + type_name(v));
    return v.get<bool>();
  }
  template <size_t N>
  std::string choice(const std::string& key, const char* const (&allowed)[N],
                     std::optional<std::string> def = {}) {
    const std::string v = str(key, def);
    std::string list;
    for (const char* a : allowed) {
      if (v == a) return v;
      list += (list.empty() ? "" : ", ") + std::string(a);
    }
    fail(at(key), "'" + v + "' is not one of " + list);
  }
  void done() const {
    for (const auto& [k, v] : j_.items()) {
      if (known_.count(k)) continue;
      std::string list;
      for (const auto& n : known_) list += (list.empty() ? "" : ", ") + n;
      fail(path_ + "." + k, "unknown field (known here: " + list + ")");
    }
  }

 private:
  const json& j_;
  std::string path_;
  const std::string& file_;
  std::set<std::string> known_;
};

}  // namespace workloads::spec_reader
