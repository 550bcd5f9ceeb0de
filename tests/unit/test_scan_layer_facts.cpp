#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include "limits/limits.hpp"
#include "memory_tar.hpp"
#include "scan/byte_pipe.hpp"
#include "scan/layer_facts.hpp"
#include "util/text.hpp"

using namespace regscan;

namespace {

// The layer through a real BytePipe fed from another thread, as a pull does.
scan::LayerFacts analyse(const std::string& tar) {
    scan::BytePipe pipe(64 * 1024);
    std::thread producer([&] {
        for (size_t at = 0; at < tar.size(); at += 4096)
            if (!pipe.push(tar.data() + at, std::min<size_t>(4096, tar.size() - at))) break;
        pipe.close();
    });
    try {
        auto facts = scan::LayerAnalyzer().analyse(pipe, "sha256:layer");
        producer.join();
        return facts;
    } catch (...) {
        pipe.abort();
        producer.join();
        throw;
    }
}

const std::string metadata = "Metadata-Version: 2.1\nName: deep\nVersion: 1.0\n\n";

}  // namespace

TEST_SUITE_BEGIN("scan");

TEST_CASE("scan::LayerAnalyzer caps a package's location, the file's tar name, for every output") {
    // Nested directories, each a valid name, 10 KiB in all.
    std::string deep;
    while (deep.size() < 10 * 1024) deep += "/" + std::string(200, 'd');
    const std::string long_path = deep + "/site-packages/deep-1.0.dist-info/METADATA";
    const std::string short_path = "/usr/lib/python3/site-packages/deep-1.0.dist-info/METADATA";
    auto facts =
        analyse(regscan::test::memory_tar({{long_path.substr(1), metadata}, {short_path.substr(1), metadata}}));

    REQUIRE(facts.files.count(long_path) == 1);  // the file itself is known by its whole path
    const auto& packages = facts.files.at(long_path).packages;
    REQUIRE(packages.size() == 1);
    CHECK(packages[0].name == "deep");
    CHECK(packages[0].layer_digest == "sha256:layer");
    CHECK(packages[0].location.size() <= limits::max_echoed_value);
    CHECK(packages[0].location == util::capped(long_path, limits::max_echoed_value));
    CHECK(packages[0].location.ends_with(" bytes left out)"));

    REQUIRE(facts.files.at(short_path).packages.size() == 1);
    CHECK(facts.files.at(short_path).packages[0].location == short_path);  // a real path stays whole

    // The layer cache stores the capped location.
    auto cached = nlohmann::json(facts).get<scan::LayerFacts>();
    CHECK(cached.files.at(long_path).packages.at(0).location == packages[0].location);
}

TEST_SUITE_END();
