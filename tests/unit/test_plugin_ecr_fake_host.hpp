// Stand-ins for what the ecr plugin takes from outside: the shared fake host
// (regscan/testing/fake_host.hpp) with AWS reply shapes, and an Environment with a fixed
// variable map, a settable clock and no real sleep.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ecr_environment.hpp"
#include "regscan/testing/fake_host.hpp"

namespace ecr_test {

using regscan::sdk::Header;
using regscan::sdk::HttpResponse;

using fake_host::Call;

inline HttpResponse reply(long status, const std::string& body, std::vector<Header> headers = {}) {
    HttpResponse response;
    response.status = status;
    response.body = body;
    response.headers = std::move(headers);
    return response;
}

inline HttpResponse json_reply(long status, const nlohmann::json& body) {
    return reply(status, body.dump(), {{"Content-Type", "application/x-amz-json-1.1"}});
}

// The JSON 1.1 error shape: 400 with __type and message.
inline HttpResponse aws_error(const std::string& type, const std::string& message, long status = 400) {
    return json_reply(status, {{"__type", type}, {"message", message}});
}

// The shared fake host, plus ECR's own question: which calls asked for an operation.
class FakeHost : public fake_host::FakeHost {
public:
    // Calls whose X-Amz-Target names this ECR operation.
    [[nodiscard]] std::vector<Call> operations(const std::string& operation) const {
        std::vector<Call> found;
        for (const auto& call : calls)
            if (call.header("X-Amz-Target") == "AmazonEC2ContainerRegistry_V20150921." + operation)
                found.push_back(call);
        return found;
    }
};

// Variables from a map, a clock the test moves, sleeps recorded instead of slept.
struct FakeEnvironment {
    std::map<std::string, std::string> variables;
    regscan::ecr::TimePoint clock = std::chrono::system_clock::from_time_t(1700000000);  // 2023-11-14T22:13:20Z
    std::vector<std::chrono::milliseconds> sleeps;

    [[nodiscard]] regscan::ecr::Environment environment() {
        regscan::ecr::Environment env;
        env.getenv = [this](const std::string& name) -> std::optional<std::string> {
            auto it = variables.find(name);
            return it == variables.end() ? std::nullopt : std::optional<std::string>(it->second);
        };
        env.now = [this] { return clock; };
        env.sleep = [this](std::chrono::milliseconds delay) {
            sleeps.push_back(delay);
            clock += delay;
        };
        env.jitter = [] { return 1.0; };
        return env;
    }
};

}  // namespace ecr_test
