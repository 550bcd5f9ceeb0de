// What the dockerhub plugin's unit tests add to the shared fake host
// (regscan/testing/fake_host.hpp): Docker Hub's JSON replies.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "regscan/testing/fake_host.hpp"

namespace dockerhub_test {

using regscan::sdk::Header;
using regscan::sdk::HttpResponse;

using fake_host::Call;

using fake_host::json_reply;

// Unrouted requests get Docker Hub's 404 shape.
class FakeHost : public fake_host::FakeHost {
public:
    FakeHost() {
        route = [](const Call&) { return json_reply(404, {{"message", "not found"}}); };
    }
};

}  // namespace dockerhub_test
