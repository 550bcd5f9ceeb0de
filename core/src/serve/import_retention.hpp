// How many finished imports each connector keeps (serve --keep-imports): a
// schedule adds one import a run, each with its report files and a history
// row per image, so without a bound a long-running server fills its disk and
// its state. Past the bound, the oldest go: report directory first, then the
// rows, so that a crash in between leaves rows the next pass removes, never
// report files nothing lists.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>

#include "state/service_store.hpp"

namespace regscan::serve {

class ImportRetention {
public:
    // `keep`: finished imports kept per connector, 0 for all of them.
    // `reports_dir`: where an import's report files are.
    ImportRetention(state::ServiceStore& store, size_t keep,
                    std::function<std::filesystem::path(int64_t import_id)> reports_dir);

    // Removes `connector_id`'s imports past the bound; returns how many.
    // Never throws: what could not be removed is logged and left for the
    // next pass.
    size_t apply(int64_t connector_id) noexcept;

private:
    state::ServiceStore& store_;
    size_t keep_;
    std::function<std::filesystem::path(int64_t)> reports_dir_;
};

}  // namespace regscan::serve
