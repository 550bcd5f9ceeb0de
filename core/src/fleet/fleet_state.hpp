// The state a fleet shares, opened from --state (a SQLite file, or a
// PostgreSQL URL once the state has that backend): the scan state the
// pipeline writes and the work queue over the same connection, so an image's
// results and its queue row commit in one transaction.
#pragma once

#include <memory>
#include <string>

#include "state/state_store.hpp"
#include "state/work_queue.hpp"

namespace regscan::fleet {

class FleetState {
public:
    explicit FleetState(const std::string& location, state::QueueOptions options = {});

    [[nodiscard]] state::StateStore& store() { return *store_; }
    [[nodiscard]] state::Database& db() { return store_->db(); }
    [[nodiscard]] state::WorkQueue& queue() { return *queue_; }
    // Where, for messages (a URL's password replaced by ***).
    [[nodiscard]] std::string describe() { return db().describe(); }

private:
    std::unique_ptr<state::StateStore> store_;
    std::unique_ptr<state::WorkQueue> queue_;
};

}  // namespace regscan::fleet
