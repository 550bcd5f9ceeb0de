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
    explicit LayerCache(state::StateStore* store) : store_(store) {}

    using Compute = std::function<LayerFacts()>;
    // The facts of `digest`; `compute` runs only when nobody has them. A
    // failed compute is not cached: the next image tries again.
    std::shared_ptr<const LayerFacts> get(const std::string& digest, const Compute& compute, bool& was_cached);

private:
    state::StateStore* store_;
    std::mutex mutex_;
    std::map<std::string, std::shared_future<std::shared_ptr<const LayerFacts>>> entries_;
};

}  // namespace regscan::scan
