#include <doctest/doctest.h>

#include <chrono>

#include "regscan/host.hpp"
#include "regscan/testing/fake_host.hpp"

using namespace regscan::sdk;
using fake_host::Call;
using fake_host::FakeHost;
using std::chrono::milliseconds;

TEST_SUITE_BEGIN("sdk");

TEST_CASE("sdk::Host::http hands HttpRequest::timeout to the core as timeout_ms") {
    FakeHost fake([](const Call&) {
        HttpResponse response;
        response.status = 200;
        return response;
    });
    auto sent = [&](milliseconds timeout) {
        HttpRequest request;
        request.url = "https://registry.test/v2/";
        request.timeout = timeout;
        (void)fake.host().http(request);
        return fake.calls.back().timeout;
    };
    CHECK(sent(milliseconds(0)) == milliseconds(0));  // the core's own bounds only
    CHECK(sent(milliseconds(2500)) == milliseconds(2500));
    CHECK(sent(milliseconds(-40)) == milliseconds(1));  // a spent budget is no "no bound"
    CHECK(sent(milliseconds(1LL << 40)) == milliseconds(UINT32_MAX));
    CHECK(fake.host().honours_timeout());
    regscan_host_api older = *fake.host().raw();
    older.abi_minor = 3;
    CHECK_FALSE(Host(&older).honours_timeout());
}

TEST_SUITE_END();
