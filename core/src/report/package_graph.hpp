// Which of an image's packages each package depends on, from the names its
// data lists (Package::depends_on), for the reports that carry a dependency
// graph (CycloneDX dependencies, SPDX DEPENDS_ON). A name links to every
// package of the same type with that name in the image (Python names
// compared as PEP 503 normalises them); names the image does not hold are
// left out.
#pragma once

#include <cstddef>
#include <vector>

#include "scan/model.hpp"

namespace regscan::report {

// For each package (by index), the indexes of the packages it depends on,
// sorted, each once, never itself.
std::vector<std::vector<size_t>> package_dependencies(const std::vector<scan::Package>& packages);

}  // namespace regscan::report
