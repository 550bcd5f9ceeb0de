#include "app/stop_signals.hpp"

#include <cstdlib>
#include <thread>

#include <spdlog/spdlog.h>

namespace regscan::app {

sigset_t block_stop_signals() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    return signals;
}

SignalStop::SignalStop() {
    const sigset_t signals = block_stop_signals();
    std::thread([signals, received = received_] {
        for (int count = 0;; ++count) {
            int signal = 0;
            if (sigwait(&signals, &signal) != 0) continue;
            const char* name = signal == SIGINT ? "SIGINT" : "SIGTERM";
            if (count > 0) {
                spdlog::warn("{} received again: quitting now", name);
                spdlog::default_logger()->flush();
                std::_Exit(128 + signal);
            }
            received->store(signal);
            spdlog::warn("{} received: stopping (the images in flight are left for the next run; the reports and "
                         "the state keep every image that finished); send it again to quit at once",
                         name);
        }
    }).detach();
}

}  // namespace regscan::app
