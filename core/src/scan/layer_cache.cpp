#include "scan/layer_cache.hpp"

#include <spdlog/spdlog.h>

namespace regscan::scan {

std::shared_ptr<const LayerFacts> LayerCache::get(const std::string& digest, const Compute& compute, bool& was_cached) {
    std::promise<std::shared_ptr<const LayerFacts>> promise;
    {
        std::unique_lock lock(mutex_);
        if (auto it = entries_.find(digest); it != entries_.end()) {
            auto future = it->second;
            lock.unlock();
            was_cached = true;
            return future.get();  // rethrows the computing image's error
        }
        entries_[digest] = promise.get_future().share();
    }
    try {
        std::shared_ptr<const LayerFacts> facts;
        if (store_) {
            if (auto json = store_->layer_facts(digest, layer_analysis_version)) {
                try {
                    facts = std::make_shared<LayerFacts>(nlohmann::json::parse(*json).get<LayerFacts>());
                } catch (const std::exception& e) {
                    spdlog::warn("Ignoring unreadable cached facts layer={} error={}", digest, e.what());
                }
            }
        }
        was_cached = static_cast<bool>(facts);
        if (!facts) {
            facts = std::make_shared<LayerFacts>(compute());
            if (store_) store_->put_layer_facts(digest, layer_analysis_version, nlohmann::json(*facts).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        }
        promise.set_value(facts);
        return facts;
    } catch (...) {
        promise.set_exception(std::current_exception());
        std::lock_guard lock(mutex_);
        entries_.erase(digest);
        throw;
    }
}

}  // namespace regscan::scan
