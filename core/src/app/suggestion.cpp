#include "app/suggestion.hpp"

#include <algorithm>
#include <cctype>

namespace regscan::app {
namespace {

size_t distance(const std::string& a, const std::string& b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t above = row[j];
            bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

}  // namespace

std::string closest_name(const std::string& typed, const std::vector<std::string>& candidates) {
    // Bounded: a typed word is a flag or command name, never a long text.
    if (typed.empty() || typed.size() > 64) return {};
    std::string best;
    size_t best_distance = std::max<size_t>(2, typed.size() / 3) + 1;
    for (const auto& candidate : candidates) {
        if (candidate == typed) return {};
        size_t d = distance(typed, candidate);
        if (d < best_distance) {
            best_distance = d;
            best = candidate;
        }
    }
    return best;
}

std::string did_you_mean(const std::string& typed, const std::vector<std::string>& candidates,
                         const std::string& prefix) {
    auto name = closest_name(typed, candidates);
    return name.empty() ? std::string() : "; did you mean " + prefix + name + "?";
}

}  // namespace regscan::app
