#include <doctest/doctest.h>

#include "engine/digest_prefetch.hpp"

using namespace regscan::engine;

TEST_SUITE_BEGIN("engine");

TEST_CASE("engine::DigestPrefetch applies to a scan with a state whose images are chosen by pattern alone") {
    RunOptions options;
    options.mode = Mode::scan;
    options.state_path = "/tmp/state.db";
    options.allow = {"team/*"};
    options.deny = {"team/old*"};
    CHECK(DigestPrefetch::applies(options));

    SUBCASE("not without a state: nothing stored, nothing to ask about") {
        options.state_path.clear();
        CHECK_FALSE(DigestPrefetch::applies(options));
    }
    SUBCASE("not in a dry run: it reads every manifest anyway") {
        options.mode = Mode::dry_run;
        CHECK_FALSE(DigestPrefetch::applies(options));
    }
    SUBCASE("not when a limit chooses among every listed image") {
        RunOptions limited = options;
        limited.max_images = 1;
        CHECK_FALSE(DigestPrefetch::applies(limited));
        limited = options;
        limited.max_tags_per_repo = 2;
        CHECK_FALSE(DigestPrefetch::applies(limited));
        limited = options;
        limited.max_tag_age_days = 30;
        CHECK_FALSE(DigestPrefetch::applies(limited));
    }
    SUBCASE("not when the images are queued for a fleet") {
        options.enqueue = true;
        CHECK_FALSE(DigestPrefetch::applies(options));
        options.enqueue = false;
        options.wait = true;
        CHECK_FALSE(DigestPrefetch::applies(options));
    }
}

TEST_SUITE_END();
