#include "serve/schedule.hpp"

#include <cctype>
#include <limits>

namespace regscan::serve {

Clock system_clock() {
    return [] { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); };
}

std::optional<std::chrono::minutes> parse_interval(const std::string& text, std::chrono::minutes min,
                                                   std::chrono::minutes max) {
    if (text.size() < 2 || text.size() > 12) return std::nullopt;
    int64_t number = 0;
    for (size_t i = 0; i + 1 < text.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
        number = number * 10 + (text[i] - '0');
        if (number > std::numeric_limits<int32_t>::max()) return std::nullopt;
    }
    int64_t unit = 0;
    switch (text.back()) {
        case 'm': unit = 1; break;
        case 'h': unit = 60; break;
        case 'd': unit = 24 * 60; break;
        default: return std::nullopt;
    }
    std::chrono::minutes interval{number * unit};
    if (interval < min || interval > max) return std::nullopt;
    return interval;
}

std::string format_interval(std::chrono::minutes interval) {
    auto m = interval.count();
    if (m > 0 && m % (24 * 60) == 0) return std::to_string(m / (24 * 60)) + "d";
    if (m > 0 && m % 60 == 0) return std::to_string(m / 60) + "h";
    return std::to_string(m) + "m";
}

std::chrono::sys_seconds next_run(std::chrono::sys_seconds anchor, std::chrono::minutes every) {
    return anchor + every;
}

bool is_due(std::chrono::sys_seconds next, std::chrono::sys_seconds now) { return next <= now; }

}  // namespace regscan::serve
