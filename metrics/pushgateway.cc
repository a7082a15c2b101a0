#include "metrics/pushgateway.h"

#include <curl/curl.h>
#include <fmt/core.h>

#include <algorithm>
#include <stdexcept>
#include <thread>

namespace metrics {
namespace {

// Connecting to a gateway on the same network takes milliseconds; 3 s covers a busy one without
// letting a black-holed address hold the run. 10 s for the whole request: a large run's body is a
// few MB.
constexpr long kConnectTimeoutMs = 3000;
constexpr long kRequestTimeoutMs = 10000;

std::string base64url(const std::string& in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += {t[n >> 18], t[(n >> 12) & 63], t[(n >> 6) & 63], t[n & 63]};
  }
  if (i + 1 == in.size()) {
    const uint32_t n = uint8_t(in[i]) << 16;
    out += {t[n >> 18], t[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += {t[n >> 18], t[(n >> 12) & 63], t[(n >> 6) & 63], '='};
  }
  return out;
}

size_t keep_body(char* data, size_t size, size_t n, void* user) {
  auto* s = static_cast<std::string*>(user);
  if (s->size() < 512) s->append(data, std::min<size_t>(size * n, 512 - s->size()));
  return size * n;
}

}  // namespace

std::string grouping_segment(const std::string& name, const std::string& value) {
  const bool plain = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
  });
  if (plain) return "/" + name + "/" + value;
  return "/" + name + "@base64/" + (value.empty() ? "=" : base64url(value));
}

Pushgateway::Pushgateway(const std::string& url, const std::string& job,
                         const std::map<std::string, std::string>& grouping_key) {
  if (!url.starts_with("http://") && !url.starts_with("https://"))
    throw std::invalid_argument(
        fmt::format("--push {}: not an http:// or https:// URL (e.g. http://127.0.0.1:9091)", url));
  const auto host_start = url.find("//") + 2;
  if (host_start >= url.size() || url[host_start] == '/' || url[host_start] == ':')
    throw std::invalid_argument(fmt::format("--push {}: no host in the URL", url));
  std::string base = url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  group_url_ = base + "/metrics" + grouping_segment("job", job);
  for (const auto& [k, v] : grouping_key) group_url_ += grouping_segment(k, v);
}

PushResult Pushgateway::put(const std::string& text, int attempts,
                            std::chrono::milliseconds backoff) const {
  static const bool curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  PushResult r;
  if (!curl_ready) {
    r.error = "libcurl could not be initialised";
    return r;
  }
  for (r.attempts = 1; r.attempts <= attempts; ++r.attempts) {
    if (r.attempts > 1) {
      std::this_thread::sleep_for(backoff);
      backoff *= 2;
    }
    CURL* c = curl_easy_init();
    if (!c) {
      r.error = "libcurl could not make a request";
      continue;
    }
    std::string reply;
    char err[CURL_ERROR_SIZE] = "";
    curl_slist* headers =
        curl_slist_append(nullptr, "Content-Type: text/plain; version=0.0.4; charset=utf-8");
    curl_easy_setopt(c, CURLOPT_URL, group_url_.c_str());
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, text.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(text.size()));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, kRequestTimeoutMs);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // time-outs without SIGALRM: the run has threads
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply);
    const CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) {
      r.error = fmt::format("{}: {}", group_url_, *err ? err : curl_easy_strerror(rc));
      continue;
    }
    if (status >= 200 && status < 300) {
      r.ok = true;
      r.error.clear();
      return r;
    }
    std::replace(reply.begin(), reply.end(), '\n', ' ');
    r.error = fmt::format("{}: HTTP {} {}", group_url_, status, reply);
    // A 4xx means the gateway refused what was sent: sending it again will not help.
    if (status >= 400 && status < 500) break;
  }
  r.attempts = std::min(r.attempts, attempts);
  return r;
}

}  // namespace metrics
