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

void ImportRetention::request(int64_t connector_id) {
    if (keep_ == 0) return;
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        if (std::find(asked_.begin(), asked_.end(), connector_id) == asked_.end()) asked_.push_back(connector_id);
        if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
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
    try {
        for (int64_t id : store_.imports_past(connector_id, keep_)) {
            {
                std::lock_guard lock(mutex_);
                if (stopping_) break;
            }
            std::error_code failed;
            std::filesystem::remove_all(reports_dir_(id), failed);
            if (failed) {
                spdlog::warn("serve: the reports of import {} were not removed (kept for the next pass): {}", id,
                             failed.message());
                continue;
            }
            if (store_.remove_import(id)) ++removed;
        }
    } catch (const std::exception& e) {
        spdlog::warn("serve: old imports were not removed: {}", log::redact(e.what()));
    }
    if (removed)
        spdlog::info("serve: {} finished import{} past the {} newest of its connector removed, with {} reports "
                     "(--keep-imports)",
                     removed, removed == 1 ? "" : "s", keep_, removed == 1 ? "its" : "their");
    return removed;
}

}  // namespace regscan::serve
