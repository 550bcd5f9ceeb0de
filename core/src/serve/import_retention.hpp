// How many finished imports each connector keeps (serve --keep-imports): a
// schedule adds one import a run, each with its report files and a history
// row per image, so without a bound a long-running server fills its disk and
// its state. Past the bound, the oldest go, one at a time: report directory
// first, then its rows, so that a crash in between leaves a row the next
// pass removes, never report files nothing lists.
//
// Passes run on a thread of their own: not on an import's thread, which the
// import queue holds for its connector until it returns (an "Import now"
// then would find it still busy), nor before the server listens (the first
// start after an upgrade may have months of imports to remove).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "state/service_store.hpp"

namespace regscan::serve {

class ImportRetention {
public:
    // `keep`: finished imports kept per connector, 0 for all of them.
    // `reports_dir`: where an import's report files are.
    ImportRetention(state::ServiceStore& store, size_t keep,
                    std::function<std::filesystem::path(int64_t import_id)> reports_dir);
    ~ImportRetention() { stop(); }
    ImportRetention(const ImportRetention&) = delete;
    ImportRetention& operator=(const ImportRetention&) = delete;

    // A pass over `connector_id` on the retention thread, soon. Never throws
    // (a request that cannot be taken is logged: the next one covers it).
    void request(int64_t connector_id) noexcept;
    // Returns once no pass is asked for or running (tests).
    void wait_idle();
    // Ends the pass in progress after its current import, drops those asked
    // and ignores later requests.
    void stop();

    // A pass now, on the caller's thread: removes `connector_id`'s imports
    // past the bound; returns how many. Never throws: what could not be
    // removed is logged and left for the next pass.
    size_t apply(int64_t connector_id) noexcept;

private:
    void loop();

    state::ServiceStore& store_;
    size_t keep_;
    std::function<std::filesystem::path(int64_t)> reports_dir_;

    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<int64_t> asked_;
    bool busy_ = false;
    bool stopping_ = false;
    std::thread thread_;  // started by the first request
};

}  // namespace regscan::serve
