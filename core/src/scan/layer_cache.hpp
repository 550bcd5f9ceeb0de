// Facts per layer digest, computed once: in memory for this run (the newest
// up to limits::max_cached_layer_bytes, so that a long run or a worker does
// not hold every layer it ever saw), in the state store across runs, and
// never twice at once (a second image that needs a layer another is still
// reading waits for that result instead of pulling it).
// With layer claims (a fleet of workers on one state), the same holds across
// processes: a layer another worker is analysing is waited for in the state.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "limits/limits.hpp"
#include "scan/layer_facts.hpp"
#include "state/layer_claims.hpp"
#include "state/state_store.hpp"

namespace regscan::scan {

class LayerCache {
public:
    // `malware_version`: with --malware, the signature-set version verdicts
    // are kept under ("" without): facts then count as cached only together
    // with a verdict of that version.
    // `budget`: the estimated bytes of facts kept in memory (LayerFacts::kept_bytes).
    explicit LayerCache(state::StateStore* store, std::string malware_version = {},
                        uint64_t budget = limits::max_cached_layer_bytes)
        : store_(store), malware_version_(std::move(malware_version)), budget_(budget) {}

    using Compute = std::function<LayerFacts()>;
    // The facts of `digest`; `compute` runs only when nobody has them. A
    // failed compute is not cached: the next image tries again.
    std::shared_ptr<const LayerFacts> get(const std::string& digest, const Compute& compute, bool& was_cached);

    // Across processes: analyse a layer only under a claim in the state;
    // while another process holds it, poll the state for its facts every
    // `poll` (taking the claim over when its lease expires), for at most
    // `max_wait`, then analyse it here. Not owned; null: this process alone.
    void share_across_processes(state::LayerClaims* claims, std::chrono::milliseconds poll = std::chrono::milliseconds(200),
                                std::chrono::milliseconds max_wait = std::chrono::minutes(15)) {
        claims_ = claims;
        poll_ = poll;
        max_wait_ = max_wait;
    }

private:
    // Waits until this process may analyse `digest` (true) or another
    // process stored its facts (false, `facts` set).
    bool claim_or_wait(const std::string& digest, std::shared_ptr<const LayerFacts>& facts);

    // The stored facts of `digest`, with their malware verdict when one is
    // wanted; nullptr when either is missing or unreadable.
    std::shared_ptr<LayerFacts> stored(const std::string& digest);

    state::StateStore* store_;
    std::string malware_version_;
    state::LayerClaims* claims_ = nullptr;
    std::chrono::milliseconds poll_{200};
    std::chrono::milliseconds max_wait_{std::chrono::minutes(15)};
    std::mutex mutex_;
    // Keeps the facts of `digest` in memory; drops the oldest past the budget.
    void remember(const std::string& digest, uint64_t bytes);

    std::map<std::string, std::shared_future<std::shared_ptr<const LayerFacts>>> entries_;
    // The finished entries, oldest first, with their kept_bytes.
    std::deque<std::pair<std::string, uint64_t>> held_;
    uint64_t held_bytes_ = 0;
    uint64_t budget_;
};

}  // namespace regscan::scan
