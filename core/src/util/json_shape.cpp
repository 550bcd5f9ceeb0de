#include "util/json_shape.hpp"

namespace regscan::util {

std::optional<JsonShapeProblem> json_shape_problem(std::string_view text, const JsonShapeLimits& limits) {
    size_t depth = 0, values = 1;
    bool in_string = false, escaped = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
            continue;
        }
        if (c == '{' || c == '[') {
            if (++depth > limits.max_depth)
                return JsonShapeProblem{i, "nested deeper than " + std::to_string(limits.max_depth) + " levels"};
        } else if (c == '}' || c == ']') {
            if (depth > 0) --depth;
            continue;
        } else if (c != ',') {
            continue;
        }
        if (++values > limits.max_values)
            return JsonShapeProblem{i, "more than " + std::to_string(limits.max_values) + " JSON values"};
    }
    return std::nullopt;
}

}  // namespace regscan::util
