// `teebench compare BASE NEW`: the release gate. Exit 1 when NEW regressed significantly against
// BASE (a figure, or a verdict that held and now fails), 0 otherwise, 2 when the files cannot be
// compared. docs/compare.md says how each verdict is reached.
#include <fmt/core.h>

#include "app/commands.h"
#include "reports/compare_html.h"
#include "reports/compare_text.h"
#include "reports/results.h"

namespace app {
namespace {

struct CompareCommandOptions {
  std::string base, next, markdown, html, min_effect = "5%";
  double alpha = 0.05;
  bool verbose = false;
};

// "5%", "5" (percent) or "0.05" (a fraction below 1); false on anything else.
bool parse_effect(const std::string& s, double* out) {
  try {
    size_t used = 0;
    const double v = std::stod(s, &used);
    const std::string rest = s.substr(used);
    if (!(rest.empty() || rest == "%") || !(v >= 0)) return false;
    *out = (rest == "%" || v >= 1) ? v / 100 : v;
    return *out < 10;
  } catch (const std::exception&) {
    return false;
  }
}

int compare(const CompareCommandOptions& o) {
  reports::CompareOptions opts;
  if (!(o.alpha > 0 && o.alpha <= 0.5)) {
    fmt::print(stderr,
               "teebench: --alpha {} is not a significance level; give one in (0, 0.5], "
               "e.g. 0.05\n",
               o.alpha);
    return 2;
  }
  opts.alpha = o.alpha;
  if (!parse_effect(o.min_effect, &opts.min_effect)) {
    fmt::print(stderr, "teebench: --min-effect '{}' is not a percentage; give e.g. 5% or 0.05\n",
               o.min_effect);
    return 2;
  }
  reports::Comparison c;
  reports::ComparableRun base, next;
  try {
    base = reports::load_comparable(o.base);
    next = reports::load_comparable(o.next);
    c = reports::compare_runs(base, next, opts);
  } catch (const reports::InputError& e) {
    fmt::print(stderr, "teebench: {}\n", e.what());
    return 2;
  }
  fmt::print("{}", reports::compare_text(c, o.verbose));
  try {
    if (!o.markdown.empty()) reports::write_atomic(o.markdown, reports::compare_markdown(c));
    if (!o.html.empty()) reports::write_atomic(o.html, reports::compare_html(c, base, next));
  } catch (const std::exception& e) {
    // The verdict is printed; a page that could not be written must not hide it.
    fmt::print(stderr, "teebench: {}\n", e.what());
    return 2;
  }
  return c.regressions() > 0 ? 1 : 0;
}

}  // namespace

Runner add_compare(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "compare",
      "Compare two runs (teebench results.json or Google Benchmark JSON): per case and operation "
      "the change in p50/p90/p99/p99.9 and throughput with its interval and p-value; exit 1 on a "
      "significant regression");
  auto o = std::make_shared<CompareCommandOptions>();
  cmd->add_option("base", o->base, "BASE results (the reference run)")->required();
  cmd->add_option("new", o->next, "NEW results (the run under judgement)")->required();
  cmd->add_option("--alpha", o->alpha, "significance level of each test, in (0, 0.5]")
      ->capture_default_str();
  cmd->add_option("--min-effect", o->min_effect,
                  "smallest change worth a verdict, e.g. 5% (changes below it are 'no change' "
                  "however significant)")
      ->capture_default_str();
  cmd->add_option("--markdown", o->markdown, "also write the comparison as Markdown to FILE");
  cmd->add_option("--html", o->html,
                  "also write the comparison as a self-contained HTML page to FILE");
  cmd->add_flag("--verbose,-v", o->verbose, "show every figure, not only the changed ones");
  return [cmd, o]() {
    if (!*cmd) return -1;
    return compare(*o);
  };
}

}  // namespace app
