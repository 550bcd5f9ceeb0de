#include "serve/import_retention.hpp"

#include <system_error>
#include <vector>

#include <spdlog/spdlog.h>

#include "log/secrets.hpp"

namespace regscan::serve {

ImportRetention::ImportRetention(state::ServiceStore& store, size_t keep,
                                 std::function<std::filesystem::path(int64_t)> reports_dir)
    : store_(store), keep_(keep), reports_dir_(std::move(reports_dir)) {}

size_t ImportRetention::apply(int64_t connector_id) noexcept {
    if (keep_ == 0) return 0;
    try {
        std::vector<int64_t> removable;
        for (int64_t id : store_.imports_past(connector_id, keep_)) {
            std::error_code failed;
            std::filesystem::remove_all(reports_dir_(id), failed);
            if (failed) {
                spdlog::warn("serve: the reports of import {} were not removed (kept for the next try): {}", id,
                             failed.message());
                continue;
            }
            removable.push_back(id);
        }
        store_.remove_imports(removable);
        if (!removable.empty())
            spdlog::info("serve: {} finished import{} past the {} newest of its connector removed, with {} reports "
                         "(--keep-imports)",
                         removable.size(), removable.size() == 1 ? "" : "s", keep_,
                         removable.size() == 1 ? "its" : "their");
        return removable.size();
    } catch (const std::exception& e) {
        spdlog::warn("serve: old imports were not removed: {}", log::redact(e.what()));
        return 0;
    }
}

}  // namespace regscan::serve
