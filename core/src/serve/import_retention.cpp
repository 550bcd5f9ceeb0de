#include "serve/import_retention.hpp"

#include <algorithm>
#include <system_error>

#include <spdlog/spdlog.h>

#include "log/secrets.hpp"

namespace regscan::serve {

ImportRetention::ImportRetention(state::ServiceStore& store, size_t keep,
                                 std::function<std::filesystem::path(int64_t)> reports_dir)
    : store_(store), keep_(keep), reports_dir_(std::move(reports_dir)) {}

void ImportRetention::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void ImportRetention::request(int64_t connector_id) noexcept {
    if (keep_ == 0) return;
    try {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        // The thread first: a request is never left with nothing to take it.
        if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
        if (std::find(asked_.begin(), asked_.end(), connector_id) == asked_.end()) asked_.push_back(connector_id);
    } catch (const std::exception& e) {
        spdlog::warn("serve: old imports of connector {} are left for a later pass: {}", connector_id, e.what());
        return;
    }
    changed_.notify_all();
}

void ImportRetention::wait_idle() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return stopping_ || (asked_.empty() && !busy_); });
}

void ImportRetention::loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
        changed_.wait(lock, [&] { return stopping_ || !asked_.empty(); });
        if (stopping_) break;
        const int64_t connector_id = asked_.front();
        asked_.pop_front();
        busy_ = true;
        lock.unlock();
        apply(connector_id);
        lock.lock();
        busy_ = false;
        changed_.notify_all();
    }
    changed_.notify_all();
}

size_t ImportRetention::apply(int64_t connector_id) noexcept {
    if (keep_ == 0) return 0;
    size_t removed = 0;
    std::vector<int64_t> past;
    try {
        past = store_.imports_past(connector_id, keep_);
    } catch (const std::exception& e) {
        spdlog::warn("serve: old imports of connector {} were not looked up: {}", connector_id, log::redact(e.what()));
    }
    for (int64_t id : past) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) break;
        }
        // One import failing leaves the others to go.
        try {
            std::error_code failed;
            std::filesystem::remove_all(reports_dir_(id), failed);
            if (failed) {
                spdlog::warn("serve: the reports of import {} were not removed (kept for the next pass): {}", id,
                             failed.message());
                continue;
            }
            if (store_.remove_import(id)) ++removed;
        } catch (const std::exception& e) {
            spdlog::warn("serve: old import {} was not removed: {}", id, log::redact(e.what()));
        }
    }
    if (removed)
        spdlog::info("serve: {} finished import{} past the {} newest of its connector removed, with {} reports "
                     "(--keep-imports)",
                     removed, removed == 1 ? "" : "s", keep_, removed == 1 ? "its" : "their");
    return removed;
}

}  // namespace regscan::serve
