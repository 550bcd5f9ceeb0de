// Names appended once each, in the order first seen, each counted in the
// file's budget with the set that knows it. A hostile database lists
// millions of dependencies of one package: a linear search for each would
// take hours where this takes a second.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "catalog/file_budget.hpp"
#include "util/memory_estimate.hpp"

namespace regscan::catalog {

class UniqueNames {
public:
    UniqueNames(std::vector<std::string>& names, FileBudget& budget)
        : names_(names), seen_(names.begin(), names.end()), budget_(budget) {}

    // Whether `name` was new (and appended, and counted).
    bool add(std::string name) {
        if (!seen_.insert(name).second) return false;
        const auto in_list = sizeof(std::string) + util::heap_bytes(name);
        budget_.add(in_list + util::map_node_bytes + in_list);  // the list's copy and the set's
        names_.push_back(std::move(name));
        return true;
    }

private:
    std::vector<std::string>& names_;
    std::set<std::string, std::less<>> seen_;
    FileBudget& budget_;
};

}  // namespace regscan::catalog
