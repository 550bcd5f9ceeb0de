#include "limits/limits.hpp"

#include <stdexcept>

#include "util/json_shape.hpp"
#include "util/text.hpp"

namespace regscan::limits {
namespace {

// The leading digits of `text` as a number, and where they end.
unsigned long long leading_number(const std::string& text, size_t& used) {
    used = 0;
    unsigned long long value = 0;
    while (used < text.size() && text[used] >= '0' && text[used] <= '9') {
        if (value > (~0ull - 9) / 10) throw std::invalid_argument("too large: '" + text + "'");
        value = value * 10 + static_cast<unsigned>(text[used++] - '0');
    }
    if (used == 0) throw std::invalid_argument("not a number: '" + text + "'");
    return value;
}

}  // namespace

std::string echoed(std::string_view text) { return util::capped(text, max_echoed_value); }

size_t parse_size(const std::string& text) {
    size_t used = 0;
    auto value = leading_number(text, used);
    std::string unit = text.substr(used);
    unsigned long long factor = unit.empty() || unit == "B" ? 1
                                : unit == "K" || unit == "k" ? KiB
                                : unit == "M" || unit == "m" ? MiB
                                : unit == "G" || unit == "g" ? GiB
                                                             : 0;
    if (factor == 0) throw std::invalid_argument("use bytes or a number with K, M or G: '" + text + "'");
    if (value == 0) throw std::invalid_argument("must be positive: '" + text + "'");
    if (value > ~0ull / factor) throw std::invalid_argument("too large: '" + text + "'");
    return static_cast<size_t>(value * factor);
}

std::chrono::seconds parse_duration(const std::string& text, ZeroDuration zero) {
    size_t used = 0;
    auto value = leading_number(text, used);
    std::string unit = text.substr(used);
    long long factor = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : 0;
    if (factor == 0 || (value == 0 && zero == ZeroDuration::refused))
        throw std::invalid_argument("use a positive number with s, m or h: '" + text + "'");
    if (value > 100ull * 365 * 86400 / static_cast<unsigned long long>(factor))
        throw std::invalid_argument("too long: '" + text + "'");
    return std::chrono::seconds(static_cast<long long>(value) * factor);
}

std::optional<std::string> registry_json_problem(std::string_view text) {
    if (auto problem = util::json_shape_problem(text, {max_registry_json_depth, max_registry_json_values}))
        return "its JSON is " + problem->why + " (no real registry document is)";
    return std::nullopt;
}

}  // namespace regscan::limits
