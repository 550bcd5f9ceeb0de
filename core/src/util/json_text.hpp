// JSON text of a value that may hold bytes from a registry (header values,
// error bodies, names): invalid UTF-8 is replaced (U+FFFD) instead of
// throwing, so one odd byte never fails an image or a run.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace regscan::util {

inline std::string json_text(const nlohmann::json& value, int indent = -1) {
    return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace regscan::util
