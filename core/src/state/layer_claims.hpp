// Who is analysing which layer, across every process sharing the state: a
// claim per (digest, analysis version) with an owner and a lease from the
// database's clock. A worker that needs a layer another holds waits for its
// facts to appear in the state instead of pulling the blob again, and takes
// the claim over when that lease expires (its owner was lost).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "state/database.hpp"

namespace regscan::state {

class LayerClaims {
public:
    // Milliseconds since the epoch; default: the database's clock.
    using Clock = std::function<int64_t()>;

    LayerClaims(Database& db, std::string owner, std::chrono::milliseconds lease = std::chrono::seconds(60),
                Clock clock = {});

    // True when this process now holds the claim (it was free, expired, or
    // already ours); false when another owner's lease still runs.
    bool try_claim(const std::string& digest, int analysis_version);
    // Gives the claim up (the facts are stored, or the analysis failed).
    void release(const std::string& digest, int analysis_version);
    // Moves every claim this process holds on (from a heartbeat thread).
    void renew_held();
    // The owner of a live claim on the layer, "" when none.
    std::string holder(const std::string& digest, int analysis_version);

    [[nodiscard]] const std::string& owner() const { return owner_; }
    [[nodiscard]] std::chrono::milliseconds lease() const { return lease_; }

private:
    int64_t now();

    Database& db_;
    std::string owner_;
    std::string token_;
    std::chrono::milliseconds lease_;
    Clock clock_;
    std::mutex mutex_;
    std::set<std::pair<std::string, int>> held_;
};

}  // namespace regscan::state
