// A Pushgateway client: PUT of a run's metrics under its own grouping key, with time-outs, bounded
// retries and back-off.
//
// prometheus-cpp has a Gateway class, but Debian's 1.0.1 sets no time-out on its HTTP requests (a
// black-holed gateway would hang the end of a run), puts grouping-key values into the URL path
// unescaped (a '/' in `board=lab/rack3` would change the group), drops the gateway's error text,
// and its Delete() removes every group of the job. So the body comes from prometheus-cpp's text
// serializer and the HTTP from libcurl directly.
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace metrics {

struct PushResult {
  bool ok = false;
  int attempts = 0;
  std::string error;  // one line, "" when ok
};

class Pushgateway {
 public:
  // `url` is http(s)://host:port[/path-prefix]. Throws std::invalid_argument naming the problem.
  Pushgateway(const std::string& url, const std::string& job,
              const std::map<std::string, std::string>& grouping_key);
  // The group's URL: <url>/metrics/job/<job>/<label>/<value>..., values base64url-encoded
  // (`<label>@base64`) where they are not plain URL-safe text.
  const std::string& group_url() const { return group_url_; }
  // Replaces this group's metrics with `text` (exposition format): HTTP PUT, so series a previous
  // push of the same group had and this one lacks go away; other groups are never touched.
  // Tries up to `attempts` times, waiting `backoff`, then twice that, ... between them.
  PushResult put(const std::string& text, int attempts = 1,
                 std::chrono::milliseconds backoff = std::chrono::milliseconds(500)) const;

 private:
  std::string group_url_;
};

// The grouping-key segment for one label: "/name/value" or "/name@base64/<base64url>".
std::string grouping_segment(const std::string& name, const std::string& value);

}  // namespace metrics
