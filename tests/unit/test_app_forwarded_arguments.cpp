#include <doctest/doctest.h>

#include "app/exit_codes.hpp"
#include "app/forwarded_arguments.hpp"

namespace po = boost::program_options;
using regscan::app::split_arguments;

TEST_CASE("app::split_arguments keeps the command's own flags and forwards the rest") {
    po::options_description own("Own");
    own.add_options()("lease", po::value<std::string>(), "lease")("help", "help");
    auto split = split_arguments("worker", own, {"--lease", "5s", "--state=pg", "--db", "osv.db", "--help"});
    CHECK(split.own["lease"].as<std::string>() == "5s");
    CHECK(split.own.count("help") == 1);
    CHECK(split.forwarded == std::vector<std::string>{"--state=pg", "--db", "osv.db"});
    CHECK(split.forwards("--state"));
    CHECK(split.forwards("--db"));
    CHECK_FALSE(split.forwards("--lease"));
    CHECK_FALSE(split.forwards("osv"));
    CHECK_NOTHROW(split.refuse("worker", "worker", {{"--mode", "always scans"}}));
    CHECK_THROWS_WITH_AS(split.refuse("worker", "worker", {{"--db", "why"}}),
                         "worker: --db is not a worker option: why", regscan::app::Fatal);
    CHECK_THROWS_WITH_AS(split_arguments("serve", own, {"--lease"}),
                         "serve: the required argument for option '--lease' is missing; see 'regscan serve --help'",
                         regscan::app::Fatal);
}
