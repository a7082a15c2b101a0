#include "targets/optee_conf.h"

#include <fstream>
#include <regex>

namespace targets {

std::map<std::string, std::string> read_optee_conf(const std::string& conf_h) {
  std::map<std::string, std::string> out;
  std::ifstream in(conf_h);
  static const std::regex def(R"(^#define (CFG_\w+) (.+)$)");
  std::string line;
  std::smatch m;
  while (std::getline(in, line))
    if (std::regex_match(line, m, def)) out[m[1]] = m[2];
  return out;
}

}  // namespace targets
