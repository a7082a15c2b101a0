#include "reports/json_input.h"

#include <filesystem>
#include <fstream>
#include <iterator>

namespace reports {
namespace {

// The byte offset where the nesting first exceeds the limit, or npos. Brackets inside strings do
// not count; the scan is linear and needs no recursion.
size_t too_deep_at(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (in_string) {
      if (ch == '\\')
        ++i;
      else if (ch == '"')
        in_string = false;
    } else if (ch == '"') {
      in_string = true;
    } else if (ch == '[' || ch == '{') {
      if (++depth > kMaxJsonDepth) return i;
    } else if (ch == ']' || ch == '}') {
      --depth;
    }
  }
  return std::string_view::npos;
}

}  // namespace

nlohmann::json parse_json(std::string_view text) {
  if (const size_t at = too_deep_at(text); at != std::string_view::npos)
    throw JsonInputError("nested deeper than " + std::to_string(kMaxJsonDepth) + " levels (byte " +
                         std::to_string(at) + ")");
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw JsonInputError("not valid JSON (byte " + std::to_string(e.byte) + ")");
  }
}

nlohmann::json parse_json_or_discarded(std::istream& in) {
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  try {
    return parse_json(text);
  } catch (const JsonInputError&) {
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
}

std::string read_text_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw JsonInputError("no such file");
  if (!std::filesystem::is_regular_file(path, ec)) throw JsonInputError("not a file (a folder?)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw JsonInputError("cannot read it (permissions?)");
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw JsonInputError("cannot read it (I/O error)");
  return text;
}

}  // namespace reports
