// Where OSV records are read from: single JSON files, directories of them
// (recursively), and the per-ecosystem all.zip archives OSV publishes.
#pragma once

#include <filesystem>

#include "vulndb/osv_importer.hpp"

namespace regscan::vulndb {

// Feeds every record under `path` to the importer: a *.json file, a *.zip
// archive (its *.json entries), or a directory holding either, walked
// recursively in name order. A source that cannot be read at all (missing,
// corrupt zip) is reported through OsvImporter::reject_source.
void import_path(OsvImporter& importer, const std::filesystem::path& path);

}  // namespace regscan::vulndb
