#include "ecr_environment.hpp"

#include <cstdlib>
#include <random>
#include <thread>

namespace regscan::ecr {

Environment Environment::system() {
    Environment env;
    env.getenv = [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        return value ? std::optional<std::string>(value) : std::nullopt;
    };
    env.now = [] { return std::chrono::system_clock::now(); };
    env.sleep = [](std::chrono::milliseconds delay) { std::this_thread::sleep_for(delay); };
    env.jitter = [] {
        thread_local std::mt19937 random{std::random_device{}()};
        return std::uniform_real_distribution<double>(0.0, 1.0)(random);
    };
    return env;
}

}  // namespace regscan::ecr
