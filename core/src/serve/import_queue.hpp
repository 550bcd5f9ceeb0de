// Imports waiting and running: two priorities (a user's request goes ahead
// of scheduled work, so a big re-crawl never starves "Import now"), at most
// one import per connector queued or running at a time, and a global limit:
// the number of worker threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace regscan::serve {

enum class Priority { manual, scheduled };

struct QueuedImport {
    int64_t import_id = 0;
    int64_t connector_id = 0;
    Priority priority = Priority::scheduled;
};

class ImportQueue {
public:
    using Run = std::function<void(const QueuedImport&)>;

    // `run` is called on a worker thread for each import; an exception from
    // it is a programming error the caller must not let escape.
    ImportQueue(size_t workers, Run run);
    ~ImportQueue();
    ImportQueue(const ImportQueue&) = delete;
    ImportQueue& operator=(const ImportQueue&) = delete;

    struct Submitted {
        int64_t import_id = 0;
        bool created = false;  // false: the connector's import already queued or running
    };
    // When the connector has an import queued or running, answers that one
    // (a manual request lifts a queued scheduled one to manual priority);
    // else calls `create` (under the queue's lock, so two requests never
    // both create) for the new import's id and queues it. Throws
    // std::runtime_error after stop().
    Submitted submit(int64_t connector_id, Priority priority, const std::function<int64_t()>& create);

    // The import queued or running for this connector, if any.
    std::optional<int64_t> active(int64_t connector_id) const;
    // Drops a queued (not running) import of this connector; true if one was.
    bool drop_queued(int64_t connector_id);
    [[nodiscard]] size_t running() const;
    [[nodiscard]] size_t queued() const;
    // Waits (bounded) until nothing is queued or running; false on timeout.
    bool wait_until_idle(std::chrono::milliseconds timeout);
    // Waits (bounded) until this connector has no import queued or running;
    // false on timeout.
    bool wait_until_inactive(int64_t connector_id, std::chrono::milliseconds timeout);

    // Takes no more; the workers finish the imports they run and exit.
    // Returns the imports that were still queued (never started).
    std::vector<QueuedImport> stop();

private:
    void work();

    Run run_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable idle_;
    std::deque<QueuedImport> manual_, scheduled_;
    std::map<int64_t, int64_t> active_;  // connector -> import, queued or running
    size_t running_ = 0;
    bool stopping_ = false;
    std::vector<std::thread> workers_;
};

}  // namespace regscan::serve
