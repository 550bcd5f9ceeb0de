#include <string>

#include <boost/program_options.hpp>
#include <doctest/doctest.h>

#include "app/man_page.hpp"

namespace po = boost::program_options;

TEST_CASE("app::man_page lists each command's options and keeps roff from reading text as requests") {
    po::options_description options("Scan options");
    options.add_options()("fail-on", po::value<std::string>()->value_name("LIST"), "exit 7; e.g. C:\\x")
                         ("quiet", ".starts with a dot\n'and a quote");
    std::string page = regscan::app::man_page("1.2.3", "Usage: regscan <command>\n.hidden\n", {{"registry", &options},
                                                                                              {"db", nullptr}});
    CHECK(page.rfind(".TH REGSCAN 1 \"\" \"regscan 1.2.3\"", 0) == 0);
    CHECK(page.find(".SH \"OPTIONS OF regscan registry\"") != std::string::npos);
    CHECK(page.find("OPTIONS OF regscan db") == std::string::npos);  // no option table: its own --help
    CHECK(page.find("\\fB\\-\\-fail\\-on\\fR \\fILIST\\fR\nexit 7; e.g. C:\\ex\n") != std::string::npos);
    CHECK(page.find("\\fB\\-\\-quiet\\fR\n\\&.starts with a dot\n\\&'and a quote\n") != std::string::npos);
    CHECK(page.find("\n\\&.hidden\n") != std::string::npos);
}
