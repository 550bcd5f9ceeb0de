// Names appended once each, in the order first seen. A hostile database
// lists millions of dependencies of one package: a linear search for each
// would take hours where this takes a second.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace regscan::catalog {

class UniqueNames {
public:
    explicit UniqueNames(std::vector<std::string>& names) : names_(names), seen_(names.begin(), names.end()) {}

    // Whether `name` was new (and appended).
    bool add(std::string name) {
        if (!seen_.insert(name).second) return false;
        names_.push_back(std::move(name));
        return true;
    }

private:
    std::vector<std::string>& names_;
    std::set<std::string, std::less<>> seen_;
};

}  // namespace regscan::catalog
