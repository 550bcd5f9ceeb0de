#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "serve/marking_policy.hpp"
#include "triage/input.hpp"
#include "util/time.hpp"
#include "temp_dir.hpp"

using namespace regscan;
using namespace std::chrono_literals;

namespace {

engine::RunOptions with_ignore_file(const std::filesystem::path& path) {
    engine::RunOptions defaults;
    triage::PolicyOptions options;
    options.ignore_file = path.string();
    defaults.triage_options = std::make_shared<const triage::PolicyOptions>(options);
    return defaults;
}

}  // namespace

TEST_SUITE_BEGIN("serve");

TEST_CASE("serve::MarkingPolicy reads the policy again only when the day or one of its files changes") {
    test::TempDir dir("marking-policy");
    const auto ignore = dir.path / "ignore";
    std::ofstream(ignore) << "CVE-2023-0001\n";
    const auto defaults = with_ignore_file(ignore);
    serve::MarkingPolicy marking(defaults);
    const auto day = *util::parse_rfc3339("2026-12-04T10:00:00Z");

    auto first = marking.get(day);
    REQUIRE(first);
    CHECK(marking.get(day + 1h) == first);  // the same day, the same file: not read again
    auto next_day = marking.get(day + 24h);
    CHECK(next_day != first);  // another day: read again (an entry may have expired)

    std::ofstream(ignore) << "CVE-2023-0001\nCVE-2023-0002\n";  // edited
    auto edited = marking.get(day + 24h);
    REQUIRE(edited);
    CHECK(edited->fingerprint() != next_day->fingerprint());

    std::ofstream(ignore) << "CVE-2023-0001 exp:someday\n";  // no longer reads: the error, remembered
    CHECK_THROWS_AS(marking.get(day + 24h), triage::InputError);
    try {
        marking.get(day + 24h);
        FAIL("the broken file was taken");
    } catch (const triage::InputError& e) {
        CHECK(std::string(e.what()).find(ignore.string() + ":1:") == 0);
    }
    std::ofstream(ignore) << "CVE-2023-0003\n";  // mended
    CHECK(marking.get(day + 24h));
}

TEST_CASE("serve::MarkingPolicy is null for a policy that suppresses nothing") {
    engine::RunOptions defaults;
    triage::PolicyOptions options;
    options.no_ignore_file = true;
    defaults.triage_options = std::make_shared<const triage::PolicyOptions>(options);
    serve::MarkingPolicy marking(defaults);
    CHECK_FALSE(marking.get(*util::parse_rfc3339("2026-12-04T10:00:00Z")));
    engine::RunOptions without;  // no triage options at all (unit tests, old callers)
    serve::MarkingPolicy none(without);
    CHECK_FALSE(none.get(*util::parse_rfc3339("2026-12-04T10:00:00Z")));
}

TEST_SUITE_END();
