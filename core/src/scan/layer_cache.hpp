// Facts per layer digest, computed once: in memory for this run, in the state
// store across runs, and never twice at once (a second image that needs a
// layer another is still reading waits for that result instead of pulling it).
#pragma once

#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "scan/layer_facts.hpp"
#include "state/state_store.hpp"

namespace regscan::scan {

class LayerCache {
public:
    // `malware_version`: with --malware, the signature-set version verdicts
    // are kept under ("" without): facts then count as cached only together
    // with a verdict of that version.
    explicit LayerCache(state::StateStore* store, std::string malware_version = {})
        : store_(store), malware_version_(std::move(malware_version)) {}

    using Compute = std::function<LayerFacts()>;
    // The facts of `digest`; `compute` runs only when nobody has them. A
    // failed compute is not cached: the next image tries again.
    std::shared_ptr<const LayerFacts> get(const std::string& digest, const Compute& compute, bool& was_cached);

private:
    // The stored facts of `digest`, with their malware verdict when one is
    // wanted; nullptr when either is missing or unreadable.
    std::shared_ptr<LayerFacts> stored(const std::string& digest);

    state::StateStore* store_;
    std::string malware_version_;
    std::mutex mutex_;
    std::map<std::string, std::shared_future<std::shared_ptr<const LayerFacts>>> entries_;
};

}  // namespace regscan::scan
