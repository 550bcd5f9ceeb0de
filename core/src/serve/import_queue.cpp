#include "serve/import_queue.hpp"

#include <algorithm>
#include <stdexcept>

namespace regscan::serve {

ImportQueue::ImportQueue(size_t workers, Run run) : run_(std::move(run)) {
    workers = std::max<size_t>(1, workers);
    for (size_t i = 0; i < workers; ++i) workers_.emplace_back([this] { work(); });
}

ImportQueue::~ImportQueue() { stop(); }

ImportQueue::Submitted ImportQueue::submit(int64_t connector_id, Priority priority,
                                           const std::function<int64_t()>& create) {
    std::lock_guard lock(mutex_);
    if (stopping_) throw std::runtime_error("the server is stopping");
    if (auto found = active_.find(connector_id); found != active_.end()) {
        if (priority == Priority::manual) {
            auto queued = std::find_if(scheduled_.begin(), scheduled_.end(),
                                       [&](const QueuedImport& q) { return q.connector_id == connector_id; });
            if (queued != scheduled_.end()) {
                QueuedImport lifted = *queued;
                lifted.priority = Priority::manual;
                scheduled_.erase(queued);
                manual_.push_back(lifted);
            }
        }
        return {found->second, false};
    }
    QueuedImport item{create(), connector_id, priority};
    active_[connector_id] = item.import_id;
    (priority == Priority::manual ? manual_ : scheduled_).push_back(item);
    wake_.notify_one();
    return {item.import_id, true};
}

std::optional<int64_t> ImportQueue::active(int64_t connector_id) const {
    std::lock_guard lock(mutex_);
    auto found = active_.find(connector_id);
    if (found == active_.end()) return std::nullopt;
    return found->second;
}

bool ImportQueue::drop_queued(int64_t connector_id) {
    std::lock_guard lock(mutex_);
    for (auto* queue : {&manual_, &scheduled_}) {
        auto it = std::find_if(queue->begin(), queue->end(),
                               [&](const QueuedImport& q) { return q.connector_id == connector_id; });
        if (it != queue->end()) {
            queue->erase(it);
            active_.erase(connector_id);
            return true;
        }
    }
    return false;
}

size_t ImportQueue::running() const {
    std::lock_guard lock(mutex_);
    return running_;
}

size_t ImportQueue::queued() const {
    std::lock_guard lock(mutex_);
    return manual_.size() + scheduled_.size();
}

bool ImportQueue::wait_until_idle(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return idle_.wait_for(lock, timeout, [&] { return running_ == 0 && manual_.empty() && scheduled_.empty(); });
}

bool ImportQueue::wait_until_inactive(int64_t connector_id, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return idle_.wait_for(lock, timeout, [&] { return !active_.count(connector_id); });
}

std::vector<QueuedImport> ImportQueue::stop() {
    std::vector<QueuedImport> left;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        left.assign(manual_.begin(), manual_.end());
        left.insert(left.end(), scheduled_.begin(), scheduled_.end());
        manual_.clear();
        scheduled_.clear();
        for (const auto& q : left) active_.erase(q.connector_id);
        idle_.notify_all();
    }
    wake_.notify_all();
    for (auto& worker : workers_)
        if (worker.joinable()) worker.join();
    return left;
}

void ImportQueue::work() {
    while (true) {
        QueuedImport item;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !manual_.empty() || !scheduled_.empty(); });
            if (stopping_) return;
            auto& queue = !manual_.empty() ? manual_ : scheduled_;
            item = queue.front();
            queue.pop_front();
            ++running_;
        }
        run_(item);
        std::lock_guard lock(mutex_);
        --running_;
        active_.erase(item.connector_id);
        idle_.notify_all();
    }
}

}  // namespace regscan::serve
