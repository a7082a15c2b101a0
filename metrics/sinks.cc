#include "metrics/sinks.h"

#include <fmt/core.h>
#include <prometheus/exposer.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "metrics/families.h"
#include "metrics/live_results.h"
#include "metrics/pushgateway.h"
#include "reports/results.h"

namespace metrics {
namespace {

using Clock = std::chrono::steady_clock;
using Labels = std::map<std::string, std::string>;

// A long run is pushed (and its textfile rewritten) at most this often while it goes: often
// enough for a board to show progress at Prometheus's usual 15-60 s scrape interval, rarely enough
// that a run with hundreds of cases does not keep a gateway busy.
constexpr auto kCheckpointEvery = std::chrono::seconds(10);
// The final push: 3 tries 0.5 s and 1 s apart ride out a gateway restart, and end within
// ~35 s even when each try times out (metrics/pushgateway.cc).
constexpr int kFinalAttempts = 3;

bool is_final(const nlohmann::json& doc) { return doc.value("status", "running") != "running"; }

class ServeSink : public reports::ResultSink {
 public:
  ServeSink(const std::string& address, const Labels& extra, double linger_s)
      : live_(std::make_shared<LiveResults>(extra)), linger_s_(linger_s) {
    try {
      exposer_ = std::make_unique<prometheus::Exposer>(address);
    } catch (const std::exception& e) {
      throw std::runtime_error(fmt::format(
          "--serve {}: cannot listen there ({}): the port is in use or the address is not "
          "this machine's; pick another",
          address, e.what()));
    }
    exposer_->RegisterCollectable(live_);
    const auto ports = exposer_->GetListeningPorts();
    url_ = fmt::format("http://{}:{}/metrics", address.substr(0, address.rfind(':')),
                       ports.empty() ? 0 : ports[0]);
    // On stderr, machine-readable enough for a script that asked for port 0.
    fmt::print(stderr, "teebench: serving metrics on {}\n", url_);
  }
  void publish(const std::shared_ptr<const nlohmann::json>& doc) override { live_->publish(doc); }
  void close() override {
    if (linger_s_ <= 0) return;
    fmt::print(stderr,
               "teebench: waiting up to {:g} s for a scrape of the final figures ({}; Ctrl-C "
               "skips, --serve-linger sets it)\n",
               linger_s_, url_);
    if (!live_->wait_for_scrape(std::chrono::milliseconds(static_cast<int64_t>(linger_s_ * 1e3))))
      fmt::print(stderr,
                 "teebench: warning: nothing scraped {} after the run; the final figures are in "
                 "results.json (teebench export --push URL sends them to a Pushgateway)\n",
                 url_);
  }

 private:
  std::shared_ptr<LiveResults> live_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::string url_;
  double linger_s_;
};

// Pushes on its own thread while the run goes (the newest checkpoint wins), and the final document
// in close() with retries. A failure is a warning: the run's exit code and results.json stay as
// they are.
class PushSink : public reports::ResultSink {
 public:
  PushSink(std::string url, std::string job, Labels extra)
      : url_(std::move(url)), job_(std::move(job)), extra_(std::move(extra)) {
    Pushgateway(url_, job_, {});  // checks the URL now, before the run starts
    thread_ = std::thread([this] { loop(); });
  }
  ~PushSink() override { stop(); }
  void publish(const std::shared_ptr<const nlohmann::json>& doc) override {
    std::lock_guard lock(mu_);
    if (is_final(*doc)) {
      final_ = doc;
      return;
    }
    if (Clock::now() - last_ < kCheckpointEvery) return;
    last_ = Clock::now();
    pending_ = doc;
    cv_.notify_one();
  }
  void close() override {
    stop();
    if (!final_) return;
    const PushResult r = push(*final_, kFinalAttempts);
    if (r.ok)
      fmt::print(stderr, "teebench: pushed to {}\n", group_url_);
    else
      fmt::print(stderr,
                 "teebench: warning: push failed after {} tries: {}; results.json is unaffected: "
                 "push it later with `teebench export --push {} RESULTS.json`\n",
                 r.attempts, r.error, url_);
  }

 private:
  PushResult push(const nlohmann::json& doc, int attempts) {
    std::string text;
    try {
      Pushgateway gw(url_, job_, grouping_key(doc, extra_));
      group_url_ = gw.group_url();
      text = to_text(families(doc, extra_, unix_now()));
      return gw.put(text, attempts);
    } catch (const std::exception& e) {
      return {false, 0, e.what()};
    }
  }
  void loop() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      cv_.wait(lock, [&] { return stopping_ || pending_; });
      if (!pending_) continue;
      auto doc = std::move(pending_);
      lock.unlock();
      const PushResult r = push(*doc, 1);
      if (!r.ok && !warned_) {
        fmt::print(stderr, "teebench: warning: push of a checkpoint failed: {} (the run goes on)\n",
                   r.error);
        warned_ = true;
      }
      lock.lock();
    }
  }
  void stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      pending_.reset();  // the final document supersedes it
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

  const std::string url_, job_;
  const Labels extra_;
  std::string group_url_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<const nlohmann::json> pending_, final_;
  Clock::time_point last_{};
  bool stopping_ = false;
  bool warned_ = false;
  std::thread thread_;
};

class TextfileSink : public reports::ResultSink {
 public:
  TextfileSink(std::string path, Labels extra) : path_(std::move(path)), extra_(std::move(extra)) {
    // A folder that is not there or not writable is a mistake in the command: say so before the
    // run, not after it.
    std::string dir = std::filesystem::path(path_).parent_path().string();
    if (dir.empty()) dir = ".";
    if (!std::filesystem::is_directory(dir) || ::access(dir.c_str(), W_OK) != 0)
      throw std::invalid_argument(
          fmt::format("--textfile {}: the folder {} does not exist or is not writable; point it at "
                      "node_exporter's --collector.textfile.directory",
                      path_, dir));
  }
  void publish(const std::shared_ptr<const nlohmann::json>& doc) override {
    if (!is_final(*doc) && Clock::now() - last_ < kCheckpointEvery) return;
    last_ = Clock::now();
    try {
      reports::write_atomic(path_, to_text(families(*doc, extra_, unix_now())));
    } catch (const std::exception& e) {
      if (!warned_)
        fmt::print(stderr, "teebench: warning: --textfile {}: {} (results.json is unaffected)\n",
                   path_, e.what());
      warned_ = true;
    }
  }

 private:
  const std::string path_;
  const Labels extra_;
  Clock::time_point last_{};
  bool warned_ = false;
};

}  // namespace

std::string listen_address(const std::string& serve) {
  const auto colon = serve.rfind(':');
  const std::string port = colon == std::string::npos ? serve : serve.substr(colon + 1);
  const std::string host = colon == std::string::npos ? "127.0.0.1" : serve.substr(0, colon);
  const bool digits = !port.empty() && port.size() <= 5 &&
                      port.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || std::stoul(port) > 65535)
    throw std::invalid_argument(fmt::format(
        "--serve {}: expected [ADDR:]PORT with a port 0-65535 (0 picks a free one), e.g. 9464 "
        "or 0.0.0.0:9464",
        serve));
  if (host.empty())
    throw std::invalid_argument(fmt::format("--serve {}: the address before ':' is empty", serve));
  return host + ":" + port;
}

Labels grouping_key(const nlohmann::json& results, const Labels& extra) {
  Labels key;
  const auto ctx = results.find("context");
  if (ctx != results.end() && ctx->is_object()) {
    const auto labels = ctx->find("labels");
    if (labels != ctx->end() && labels->is_object())
      for (const auto& [k, v] : labels->items())
        if (v.is_string()) key[k] = v.get<std::string>();
    key["instance"] = ctx->value("host_name", std::string("unknown"));
  }
  for (const auto& [k, v] : extra) key[k] = v;
  if (!key.count("instance")) key["instance"] = "unknown";
  const auto w = results.find("workload");
  key["workload"] = w != results.end() && w->is_object() ? w->value("name", std::string("unknown"))
                                                         : std::string("unknown");
  return key;
}

std::vector<std::unique_ptr<reports::ResultSink>> make_sinks(const SinkOptions& o) {
  // Closed in this order: the push and the textfile are done before --serve lingers for its last
  // scrape, which a user may cut short with Ctrl-C.
  std::vector<std::unique_ptr<reports::ResultSink>> out;
  if (!o.push.empty())
    out.push_back(std::make_unique<PushSink>(o.push, o.push_job, o.extra_labels));
  if (!o.textfile.empty())
    out.push_back(std::make_unique<TextfileSink>(o.textfile, o.extra_labels));
  if (!o.serve.empty())
    out.push_back(
        std::make_unique<ServeSink>(listen_address(o.serve), o.extra_labels, o.serve_linger_s));
  return out;
}

}  // namespace metrics
