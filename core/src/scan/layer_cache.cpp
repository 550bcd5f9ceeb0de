#include "scan/layer_cache.hpp"
#include "scan/facts_size.hpp"
#include "util/json_text.hpp"

#include <thread>

#include <spdlog/spdlog.h>

namespace regscan::scan {

bool LayerCache::claim_or_wait(const std::string& digest, std::shared_ptr<const LayerFacts>& facts) {
    const auto give_up = std::chrono::steady_clock::now() + max_wait_;
    bool told = false;
    while (!claims_->try_claim(digest, layer_analysis_version)) {
        if (std::chrono::steady_clock::now() >= give_up) {
            spdlog::warn("Layer layer={} is still being analysed by {} after {}s: analysing it here too", digest,
                         claims_->holder(digest, layer_analysis_version),
                         std::chrono::duration_cast<std::chrono::seconds>(max_wait_).count());
            return true;
        }
        if (!told) {
            spdlog::debug("Waiting for layer={} analysed by another worker", digest);
            told = true;
        }
        std::this_thread::sleep_for(poll_);  // a bounded poll on the state: the other worker stores the facts there
        if ((facts = stored(digest))) return false;
    }
    // Claimed: the previous holder may have stored the facts just before
    // giving its claim up.
    if ((facts = stored(digest))) {
        claims_->release(digest, layer_analysis_version);
        return false;
    }
    return true;
}

std::shared_ptr<LayerFacts> LayerCache::stored(const std::string& digest) {
    if (!store_) return nullptr;
    auto json = store_->layer_facts(digest, layer_analysis_version);
    if (!json) return nullptr;
    try {
        auto facts = std::make_shared<LayerFacts>(nlohmann::json::parse(*json).get<LayerFacts>());
        if (!malware_version_.empty()) {
            auto verdict = store_->layer_malware(digest, malware_version_);
            if (!verdict) return nullptr;  // examined with other signatures, or never
            facts->malware = nlohmann::json::parse(*verdict).get<malware::LayerVerdict>();
        }
        facts->kept_bytes = layer_facts_bytes(*facts);
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
        bool claimed = false;
        if (!facts && claims_) {
            claimed = claim_or_wait(digest, facts);
            was_cached = !claimed;
        }
        // Given up on a failed analysis, so another worker may try at once.
        auto release = [&] {
            if (claimed) claims_->release(digest, layer_analysis_version);
            claimed = false;
        };
        if (!facts) {
            try {
                facts = std::make_shared<LayerFacts>(compute());
            } catch (...) {
                release();
                throw;
            }
            if (store_) {
                auto dump = [](const nlohmann::json& json) {
                    return util::json_text(json);
                };
                store_->put_layer_facts(digest, layer_analysis_version, dump(nlohmann::json(*facts)));
                if (facts->malware && !malware_version_.empty())
                    store_->put_layer_malware(digest, malware_version_, dump(nlohmann::json(*facts->malware)));
            }
        }
        release();
        promise.set_value(facts);
        remember(digest, facts->kept_bytes);
        return facts;
    } catch (...) {
        // Gone before the waiters wake: one that tries again (the failure
        // was not its own) computes the layer instead of finding this one.
        {
            std::lock_guard lock(mutex_);
            entries_.erase(digest);
        }
        promise.set_exception(std::current_exception());
        throw;
    }
}

void LayerCache::remember(const std::string& digest, uint64_t bytes) {
    std::lock_guard lock(mutex_);
    held_.emplace_back(digest, bytes);
    held_bytes_ += bytes;
    // The oldest leave first (an image still using them keeps its own
    // reference); a later image reads them again from the state.
    while (held_bytes_ > budget_ && held_.size() > 1) {
        auto& [oldest, size] = held_.front();
        entries_.erase(oldest);
        held_bytes_ -= size;
        held_.pop_front();
    }
}

}  // namespace regscan::scan
