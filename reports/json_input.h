// Reading JSON a user hands us (workload files, --set values, results files) without letting its
// shape crash teebench: nlohmann/json parses iteratively but copies and compares recursively, so
// a document nested 100 000 deep overflows the stack the first time it is copied.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace reports {

// Deeper than any document teebench writes or reads (a results file nests about 8 levels; a
// workload 6) and far below what a copy can recurse through on an 8 MiB stack.
inline constexpr int kMaxJsonDepth = 64;

struct JsonInputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses `text`; throws JsonInputError("not valid JSON (byte N)" or "nested deeper than 64
// levels (byte N)") — the caller prefixes the file and says what to do.
nlohmann::json parse_json(std::string_view text);

// The stream's JSON, or a discarded value (is_discarded()) when it is not JSON or nests too deep:
// for readers that say "not a results document" whatever the reason.
nlohmann::json parse_json_or_discarded(std::istream& in);

// Reads the whole file as text; throws JsonInputError when it is missing, a folder or unreadable.
std::string read_text_file(const std::string& path);

}  // namespace reports
