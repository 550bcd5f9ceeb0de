#include "report/package_graph.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "vulndb/ecosystem.hpp"

namespace regscan::report {
namespace {

std::string dependency_key(const std::string& type, const std::string& name) {
    // Python names compare as PEP 503 normalises them, as the matcher does.
    return type + "\n" + (type == "python" ? vulndb::package_name_key("PyPI", name) : name);
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
