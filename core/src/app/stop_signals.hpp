// SIGINT and SIGTERM for a process that stops cleanly instead of dying: they
// are blocked in every thread and taken, one at a time, by sigwait.
#pragma once

#include <atomic>
#include <csignal>
#include <memory>

#include "engine/run_observer.hpp"

namespace regscan::app {

// Blocks SIGTERM and SIGINT in the calling thread, and so in every thread it
// starts afterwards (call it before any thread starts): the set, for sigwait.
sigset_t block_stop_signals();

// A one-shot `regscan registry` run that a signal stops: the first stops it
// as a serve import's cancel does (no further image starts, the transfers in
// flight stop, their images are left for the next run; the reports and the
// state hold every image that finished); a second ends the process at once
// (exit 128 + the signal). Construct it before any thread starts.
class SignalStop final : public engine::RunObserver {
public:
    SignalStop();

    [[nodiscard]] bool cancelled() const override { return received() != 0; }
    [[nodiscard]] bool stop_in_flight() const override { return received() != 0; }
    // The first signal received (SIGINT or SIGTERM), 0 before any.
    [[nodiscard]] int received() const { return received_->load(); }

private:
    // Shared with the thread that waits for the signals, which outlives
    // this object (it waits until the process ends).
    std::shared_ptr<std::atomic<int>> received_ = std::make_shared<std::atomic<int>>(0);
};

}  // namespace regscan::app
