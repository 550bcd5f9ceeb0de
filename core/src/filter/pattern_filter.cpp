#include "filter/pattern_filter.hpp"

#include "regscan/host.hpp"

namespace regscan::filter {

bool wildcard_match(std::string_view pattern, std::string_view text) {
    // Greedy matching with one backtrack point: linear for patterns with `*`.
    size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = t;
        } else if (p < pattern.size() && pattern[p] == text[t]) {
            ++p;
            ++t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

std::string normalise_pattern(std::string_view pattern) {
    auto slash = pattern.rfind('/');
    auto colon = pattern.rfind(':');
    bool has_tag = colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash);
    return has_tag ? std::string(pattern) : std::string(pattern) + ":*";
}

std::vector<std::string> split_patterns(const std::vector<std::string>& arguments) {
    std::vector<std::string> patterns;
    for (const auto& argument : arguments) {
        size_t start = 0;
        while (start <= argument.size()) {
            auto comma = argument.find(',', start);
            auto piece = sdk::trim(std::string_view(argument).substr(
                start, comma == std::string::npos ? std::string::npos : comma - start));
            if (!piece.empty()) patterns.emplace_back(piece);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    return patterns;
}

PatternFilter::PatternFilter(std::vector<std::string> allow, std::vector<std::string> deny) {
    for (const auto& p : allow) allow_.push_back(normalise_pattern(p));
    for (const auto& p : deny) deny_.push_back(normalise_pattern(p));
}

const std::string* PatternFilter::first_match(const std::vector<std::string>& patterns,
                                              const sdk::ImageRef& image) const {
    const std::string name = image.repository + ":" + image.tag;
    const std::string host_prefix = image.registry + "/";
    for (const auto& pattern : patterns) {
        // Only a pattern that spells out the host is matched with it, so
        // "*/foo:bar" never matches repository "foo" through "host/foo".
        bool names_host = !image.registry.empty() && pattern.rfind(host_prefix, 0) == 0;
        if (wildcard_match(names_host ? std::string_view(pattern).substr(host_prefix.size()) : pattern, name))
            return &pattern;
    }
    return nullptr;
}

std::optional<std::string> PatternFilter::skip_reason(const sdk::ImageRef& image) const {
    if (const auto* denied = first_match(deny_, image)) return "matches denyList pattern '" + *denied + "'";
    if (!allow_.empty() && !first_match(allow_, image)) return "matches no allowList pattern";
    return std::nullopt;
}

}  // namespace regscan::filter
