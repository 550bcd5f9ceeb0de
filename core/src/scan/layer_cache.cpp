#include "scan/layer_cache.hpp"

#include <spdlog/spdlog.h>

namespace regscan::scan {

std::shared_ptr<LayerFacts> LayerCache::stored(const std::string& digest) {
    if (!store_) return nullptr;
    auto json = store_->layer_facts(digest, layer_analysis_version);
    if (!json) return nullptr;
    try {
        auto facts = std::make_shared<LayerFacts>(nlohmann::json::parse(*json).get<LayerFacts>());
        if (malware_version_.empty()) return facts;
        auto verdict = store_->layer_malware(digest, malware_version_);
        if (!verdict) return nullptr;  // examined with other signatures, or never
        facts->malware = nlohmann::json::parse(*verdict).get<malware::LayerVerdict>();
        return facts;
    } catch (const std::exception& e) {
        spdlog::warn("Ignoring unreadable cached facts layer={} error={}", digest, e.what());
        return nullptr;
    }
}

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
        std::shared_ptr<const LayerFacts> facts = stored(digest);
        was_cached = static_cast<bool>(facts);
        if (!facts) {
            facts = std::make_shared<LayerFacts>(compute());
            if (store_) {
                auto dump = [](const nlohmann::json& json) {
                    return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
                };
                store_->put_layer_facts(digest, layer_analysis_version, dump(nlohmann::json(*facts)));
                if (facts->malware && !malware_version_.empty())
                    store_->put_layer_malware(digest, malware_version_, dump(nlohmann::json(*facts->malware)));
            }
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
