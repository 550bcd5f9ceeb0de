#include <doctest/doctest.h>

#include <filesystem>
#include <sstream>

#include "app/command_line.hpp"
#include "app/exit_codes.hpp"
#include "app/plugin_options.hpp"

using namespace regscan;
namespace fs = std::filesystem;

TEST_SUITE_BEGIN("app");

namespace {

// The throwing fixture declares --throwing-flag (env THROWING_FLAG); v2 declares nothing.
plugin::PluginSet fixture_and_v2() {
    return plugin::load_plugins({fs::path(REGSCAN_FIXTURE_PLUGIN_DIR) / "throwing_plugin", REGSCAN_PLUGIN_DIR});
}

app::Command parse(const plugin::PluginSet& plugins, std::vector<std::string> args,
                   std::map<std::string, std::string> env = {}) {
    std::istringstream in;
    env.emplace("HOME", "/nonexistent-home");
    return app::parse_command_line(args, in, env, plugins);
}

std::string fatal_message(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const app::Fatal& e) {
        CHECK(e.code() == app::ExitCode::bad_arguments);
        return e.what();
    }
    FAIL("no Fatal thrown");
    return {};
}

}  // namespace

TEST_CASE("app::parse_command_line records plugin options given on the command line, not from the environment") {
    auto plugins = fixture_and_v2();
    auto flag = parse(plugins, {"registry", "r", "--throwing-flag=x"});
    CHECK(flag.run.plugin_options.at("throwing-flag") == "x");
    CHECK(flag.run.given_plugin_options == std::set<std::string>{"throwing-flag"});
    auto env = parse(plugins, {"registry", "r"}, {{"THROWING_FLAG", "y"}});
    CHECK(env.run.plugin_options.at("throwing-flag") == "y");
    CHECK(env.run.given_plugin_options.empty());
}

TEST_CASE("app::check_plugin_options refuses another plugin's option, with or without --type") {
    auto plugins = fixture_and_v2();
    auto throwing = plugins.for_type("THROWING");
    auto v2 = plugins.for_type("DEFAULT_V2");
    REQUIRE(throwing);
    REQUIRE(v2);
    CHECK_NOTHROW(app::check_plugin_options({"throwing-flag"}, plugins, *throwing, "THROWING", false));
    CHECK_NOTHROW(app::check_plugin_options({}, plugins, *v2, "DEFAULT_V2", false));
    auto identified = fatal_message([&] { app::check_plugin_options({"throwing-flag"}, plugins, *v2, "DEFAULT_V2", false); });
    CHECK(identified == "--throwing-flag is an option of the throwing plugin, but the registry was identified as "
                       "DEFAULT_V2, handled by the v2 plugin, which does not take it; give --type THROWING if this "
                       "registry is one, or drop --throwing-flag");
    auto forced = fatal_message([&] { app::check_plugin_options({"throwing-flag"}, plugins, *v2, "DEFAULT_V2", true); });
    CHECK(forced.find("but --type DEFAULT_V2 chose the v2 plugin") != std::string::npos);
}

TEST_CASE("app::parse_command_line says an unknown option may belong to a refused plugin") {
    auto refused = plugin::load_plugins({fs::path(REGSCAN_FIXTURE_PLUGIN_DIR) / "wrong_major"});
    REQUIRE(refused.refused.size() == 1);
    auto message = fatal_message([&] { parse(refused, {"registry", "r", "--wrong-flag=1"}); });
    CHECK(message.find("unrecognised option '--wrong-flag=1'") != std::string::npos);
    CHECK(message.find("the plugin file " + refused.refused[0].path.string() + " (" + refused.refused[0].reason +
                       ") was refused, so its options are not available") != std::string::npos);
    auto other = fatal_message([&] { parse(refused, {"registry", "r", "--bogus"}); });
    CHECK(other.find("plugin files were refused, so options they declare are not available: " +
                     refused.refused[0].path.string()) != std::string::npos);
    auto none = fatal_message([&] { parse({}, {"registry", "r", "--wrong-flag=1"}); });
    CHECK(none.find("refused") == std::string::npos);
}

TEST_SUITE_END();
