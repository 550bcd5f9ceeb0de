// File names derived from the registry: "test.azurecr.io" ->
// "test-azurecr-io", "127.0.0.1:5000" -> "127-0-0-1-5000".
#pragma once

#include <string>

namespace regscan::report {

// The host[:port] of `registry_url` with '.' and ':' (and anything else that
// is not a letter, digit or '-') turned into '-'.
std::string registry_file_stem(const std::string& registry_url);

}  // namespace regscan::report
