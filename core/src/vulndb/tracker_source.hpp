// Where release statuses come from: the Debian Security Tracker's JSON
// export (https://security-tracker.debian.org/tracker/data/json), read
// whole as the snapshot it is.
#pragma once

#include <filesystem>

#include "vulndb/osv_importer.hpp"

namespace regscan::vulndb {

inline constexpr const char* debian_tracker_source = "Debian Security Tracker";

// Replaces every stored Debian status with those of the export at `path`.
// A file that cannot be read, is too large or is not in the tracker's shape
// is reported through OsvImporter::reject_source (the import then commits
// nothing).
void import_debian_tracker(OsvImporter& importer, const std::filesystem::path& path);

}  // namespace regscan::vulndb
