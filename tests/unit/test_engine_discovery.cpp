#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "auth/registry_auth.hpp"
#include "engine/discovery.hpp"
#include "http/http_client.hpp"
#include "plugin/loaded_plugin.hpp"
#include "plugin/registry_session.hpp"

using namespace regscan;

TEST_SUITE_BEGIN("engine");

namespace {

// Discovery of the fixture "listing" plugin's three repositories, one at a
// time (concurrency 1, so in order): a/one and c/three list tag 1, b/two fails.
struct ListingRun {
    plugin::PluginSet set =
        plugin::load_plugins({std::filesystem::path(REGSCAN_FIXTURE_PLUGIN_DIR) / "listing_plugin"});
    http::HttpClient client{{}};
    auth::RegistryAuth auth{client, {}};

    engine::Discovery discover(const std::function<bool()>& stop = {},
                               const std::string& url = "https://listing.invalid") {
        REQUIRE(set.plugins.size() == 1);
        plugin::RegistrySession session(set.plugins[0], client, auth, {url, "LISTING", "", "", {}});
        return engine::discover(session, 1, limits::Limits{}, {}, stop);
    }
};

std::vector<std::string> names(const engine::Discovery& discovery) {
    std::vector<std::string> listed;
    for (const auto& image : discovery.images) listed.push_back(image.repository.name + ":" + image.tag);
    return listed;
}

}  // namespace

TEST_CASE("engine::discover lists every repository; one whose tags cannot be listed is a failure") {
    auto discovery = ListingRun().discover();
    CHECK(discovery.repositories == 3);
    CHECK(names(discovery) == std::vector<std::string>{"a/one:1", "c/three:1"});
    REQUIRE(discovery.listing.failures.size() == 1);
    CHECK(discovery.listing.failures[0].repository == "b/two");
    CHECK(discovery.listing.failures[0].error.find("listing b/two failed") != std::string::npos);
    CHECK(discovery.listing.repositories_stopped == 0);
}

TEST_CASE("engine::discover: a listing's times are taken in UTC to the second, an impossible one dropped") {
    auto discovery = ListingRun().discover();
    REQUIRE(discovery.images.size() == 2);
    CHECK(discovery.images[0].build_time.empty());  // "9999-99-99T99:99:99Z"
    CHECK(discovery.images[0].pushed == "2024-01-02T02:04:05Z");
    CHECK(discovery.images[1].build_time == "2024-02-03T04:05:06Z");
    CHECK(discovery.images[1].pushed.empty());
}

TEST_CASE("engine::discover: the repositories a stop leaves unlisted are counted, not failed") {
    // Stopped once the first repository is listed: b/two and c/three are not asked for.
    std::atomic<int> asked = 0;
    auto discovery = ListingRun().discover([&] { return asked++ > 0; });
    CHECK(names(discovery) == std::vector<std::string>{"a/one:1"});
    CHECK(discovery.listing.failures.empty());
    CHECK(discovery.listing.repositories_stopped == 2);
}

TEST_CASE("engine::discover: a listing that fails once the run is stopping is stopped, not failed") {
    // The stop comes while b/two is being listed (its failure is then the
    // stop's doing); before it, nothing was stopped.
    std::atomic<int> asked = 0;
    auto discovery = ListingRun().discover([&] { return ++asked > 2; });  // a's start, b's start: not yet
    CHECK(names(discovery) == std::vector<std::string>{"a/one:1"});
    CHECK(discovery.listing.failures.empty());
    CHECK(discovery.listing.repositories_stopped == 2);
}

TEST_CASE("engine::discover: a repository whose pull base URL parsers read differently is not requested") {
    // curl would connect to a.example, where the credentials of listing.invalid would be sent.
    auto discovery = ListingRun().discover({}, "https://listing.invalid/hostile-pull");
    CHECK(names(discovery) == std::vector<std::string>{"a/one:1"});
    REQUIRE(discovery.listing.failures.size() == 2);
    const auto& refused = discovery.listing.failures[1];
    CHECK(discovery.listing.failures[0].repository == "b/two");
    CHECK(refused.repository == "c/three");
    CHECK(refused.error ==
          "the plugin gave this repository a pull base that is not a plain http(s) URL (it holds '@', '#', '?' or "
          "'\\'): not requested");
}

TEST_SUITE_END();
