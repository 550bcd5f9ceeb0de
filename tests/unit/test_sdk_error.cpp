#include <doctest/doctest.h>

#include "regscan/error.hpp"
#include "regscan/pagination.hpp"
#include "regscan/paging.hpp"
#include "regscan/testing/fake_host.hpp"

using namespace regscan::sdk;
using fake_host::Call;
using fake_host::FakeHost;

namespace {

// The registry's answer: `status`, with a body that quotes another status.
HttpResponse answer(long status) {
    HttpResponse response;
    response.status = status;
    response.body = "upstream said: HTTP 401 Unauthorized";
    return response;
}

// What `call` threw: its status and HTTP status (or {-1, -1} when nothing).
std::pair<int, long> thrown(const std::function<void()>& call) {
    try {
        call();
    } catch (const Error& e) {
        return {e.status(), e.http_status()};
    }
    return {-1, -1};
}

}  // namespace

TEST_SUITE_BEGIN("sdk");

TEST_CASE("sdk::Error carries the HTTP status of the answer it reports, 0 when there was none") {
    CHECK(Error(REGSCAN_ERROR, "no answer").http_status() == 0);
    CHECK(Error(REGSCAN_AUTH_FAILED, "refused", 403).http_status() == 403);

    long status = 403;
    FakeHost fake([&](const Call&) { return answer(status); });
    HttpRequest request;
    request.url = "https://registry.test/api/list";
    auto get_ok = [&] { (void)fake.host().get_ok(request); };
    auto pages = [&] { for_each_page(fake.host(), request, next_page::link(), [](const Page&) {}); };
    auto link_pages = [&] { for_each_link_page(fake.host(), request.url, false, [](const nlohmann::json&) {}); };
    for (long code : {401L, 403L, 404L, 500L}) {
        status = code;
        const int expected = code == 404 ? REGSCAN_NOT_FOUND : code == 500 ? REGSCAN_ERROR : REGSCAN_AUTH_FAILED;
        CHECK(thrown(get_ok) == std::pair<int, long>{expected, code});
        CHECK(thrown(pages) == std::pair<int, long>{expected, code});
        CHECK(thrown(link_pages) == std::pair<int, long>{expected, code});
    }
    status = 0;  // no answer: unreachable, and no HTTP status to tell
    CHECK(thrown(get_ok) == std::pair<int, long>{REGSCAN_UNREACHABLE, 0});
    CHECK(thrown(pages) == std::pair<int, long>{REGSCAN_UNREACHABLE, 0});
}

TEST_SUITE_END();
