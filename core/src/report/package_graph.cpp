#include "report/package_graph.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <utility>

namespace regscan::report {
namespace {

std::string dependency_key(const std::string& type, const std::string& name) {
    if (type != "python") return type + "\n" + name;
    // PEP 503: lowercase, runs of '-', '_' and '.' as one '-'.
    std::string out = type + "\n";
    bool separator = false;
    for (char c : name) {
        if (c == '-' || c == '_' || c == '.') {
            separator = true;
            continue;
        }
        if (separator) out += '-';
        separator = false;
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

}  // namespace

std::vector<std::vector<size_t>> package_dependencies(const std::vector<scan::Package>& packages) {
    std::multimap<std::string, size_t> by_name;
    for (size_t i = 0; i < packages.size(); ++i) by_name.emplace(dependency_key(packages[i].type, packages[i].name), i);
    std::vector<std::vector<size_t>> graph(packages.size());
    for (size_t i = 0; i < packages.size(); ++i) {
        auto& edges = graph[i];
        for (const auto& name : packages[i].depends_on) {
            auto [first, last] = by_name.equal_range(dependency_key(packages[i].type, name));
            for (auto it = first; it != last; ++it)
                if (it->second != i) edges.push_back(it->second);
        }
        std::sort(edges.begin(), edges.end());
        edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
    }
    return graph;
}

}  // namespace regscan::report
