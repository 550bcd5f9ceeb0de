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
        for (bool first = true;; first = false) {
            int signal = 0;
            while (sigwait(&signals, &signal) != 0) {
            }
            const char* name = signal == SIGINT ? "SIGINT" : "SIGTERM";
            if (!first) {
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
