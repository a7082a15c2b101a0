#include "workloads/occupancy.h"

#include <algorithm>

namespace workloads {

namespace {

void keep_max(std::optional<double>& m, const std::optional<double>& v) {
  if (v) m = m ? std::max(*m, *v) : *v;
}

}  // namespace

void OccupancySampler::Maxima::add(const targets::Target::Occupancy& o) {
  keep_max(busy, o.secure_threads_busy);
  keep_max(suspended, o.secure_threads_suspended);
  keep_max(sleeping, o.call_queue_sleeping);
}

nlohmann::json OccupancySampler::Maxima::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  if (busy) j["secure_threads_busy"] = *busy;
  if (suspended) j["secure_threads_suspended"] = *suspended;
  if (sleeping) j["call_queue_sleeping"] = *sleeping;
  return j;
}

void OccupancySampler::sample(const targets::Target::Occupancy& now) {
  if (!now.secure_threads_busy && !now.secure_threads_suspended && !now.call_queue_sleeping) return;
  any_ = true;
  interval_.add(now);
  peak_.add(now);
}

void OccupancySampler::close_interval(double t_s) {
  if (!any_) return;
  series_.emplace_back(t_s, interval_);
  interval_ = {};
}

nlohmann::json OccupancySampler::to_json() const {
  if (!any_) return nullptr;
  nlohmann::json series = nlohmann::json::array();
  for (const auto& [t, m] : series_) {
    nlohmann::json p = m.to_json();
    p["t_s"] = t;
    series.push_back(std::move(p));
  }
  return {{"sample_period_ms", period_ms_}, {"peak", peak_.to_json()}, {"series", series}};
}

}  // namespace workloads
