#include "vulndb/cvss.hpp"

#include <cmath>
#include <map>
#include <string>

namespace regscan::vulndb {
namespace {

// CVSS v3.1 specification, Appendix A: rounds up to one decimal while
// avoiding floating-point artefacts (e.g. 4.000000001 must stay 4.0).
double round_up(double value) {
    long long integer = std::llround(value * 100000.0);
    if (integer % 10000 == 0) return static_cast<double>(integer) / 100000.0;
    return (std::floor(static_cast<double>(integer) / 10000.0) + 1.0) / 10.0;
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

}  // namespace

std::optional<double> cvss3_base_score(std::string_view vector) {
    if (vector.rfind("CVSS:3.1/", 0) != 0 && vector.rfind("CVSS:3.0/", 0) != 0) return std::nullopt;
    std::map<std::string, std::string> metrics;
    std::string_view rest = vector.substr(9);
    if (rest.empty() || rest.back() == '/') return std::nullopt;
    while (!rest.empty()) {
        size_t slash = rest.find('/');
        std::string_view part = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
        size_t colon = part.find(':');
        if (colon == std::string_view::npos || colon == 0 || colon + 1 == part.size()) return std::nullopt;
        std::string key(part.substr(0, colon));
        if (!metrics.emplace(key, std::string(part.substr(colon + 1))).second) return std::nullopt;
    }
    auto value = [&](const char* key, std::initializer_list<std::pair<const char*, double>> table)
        -> std::optional<double> {
        auto it = metrics.find(key);
        if (it == metrics.end()) return std::nullopt;
        for (const auto& [letter, weight] : table)
            if (it->second == letter) return weight;
        return std::nullopt;
    };
    auto scope_it = metrics.find("S");
    if (scope_it == metrics.end() || (scope_it->second != "U" && scope_it->second != "C")) return std::nullopt;
    bool changed = scope_it->second == "C";
    auto av = value("AV", {{"N", 0.85}, {"A", 0.62}, {"L", 0.55}, {"P", 0.2}});
    auto ac = value("AC", {{"L", 0.77}, {"H", 0.44}});
    auto pr = changed ? value("PR", {{"N", 0.85}, {"L", 0.68}, {"H", 0.5}})
                      : value("PR", {{"N", 0.85}, {"L", 0.62}, {"H", 0.27}});
    auto ui = value("UI", {{"N", 0.85}, {"R", 0.62}});
    auto c = value("C", {{"H", 0.56}, {"L", 0.22}, {"N", 0.0}});
    auto i = value("I", {{"H", 0.56}, {"L", 0.22}, {"N", 0.0}});
    auto a = value("A", {{"H", 0.56}, {"L", 0.22}, {"N", 0.0}});
    if (!av || !ac || !pr || !ui || !c || !i || !a) return std::nullopt;

    double iss = 1.0 - (1.0 - *c) * (1.0 - *i) * (1.0 - *a);
    double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * std::pow(iss - 0.02, 15) : 6.42 * iss;
    double exploitability = 8.22 * *av * *ac * *pr * *ui;
    if (impact <= 0) return 0.0;
    double sum = changed ? 1.08 * (impact + exploitability) : impact + exploitability;
    return round_up(std::min(sum, 10.0));
}

scan::Severity severity_for_score(double score) {
    if (score >= 9.0) return scan::Severity::critical;
    if (score >= 7.0) return scan::Severity::high;
    if (score >= 4.0) return scan::Severity::medium;
    return scan::Severity::low;
}

scan::Severity severity_from_word(std::string_view word) {
    std::string w = lower(word);
    if (w == "critical") return scan::Severity::critical;
    if (w == "high" || w == "important") return scan::Severity::high;
    if (w == "medium" || w == "moderate") return scan::Severity::medium;
    if (w == "low" || w == "negligible" || w == "unimportant" || w == "minor") return scan::Severity::low;
    return scan::Severity::unknown;
}

}  // namespace regscan::vulndb
