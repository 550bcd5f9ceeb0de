// Untrusted JSON documents (VEX, SBOM, what a registry sends: limits::registry_json_problem) checked
// before a parser builds their tree: nesting and the number of values bound the tree's memory and the
// parser's time, whatever the file holds.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace regscan::util {

struct JsonShapeLimits {
    size_t max_depth;   // objects and arrays within each other
    size_t max_values;  // objects, arrays, and the members and elements commas separate
};

struct JsonShapeProblem {
    size_t offset;    // the byte where the bound was passed
    std::string why;  // "nested deeper than 64 levels", "more than 4000000 JSON values"
};

// The first bound `text` passes, or nullopt. One linear pass over the bytes,
// strings skipped; not a validator (the parser still is).
std::optional<JsonShapeProblem> json_shape_problem(std::string_view text, const JsonShapeLimits& limits);

}  // namespace regscan::util
