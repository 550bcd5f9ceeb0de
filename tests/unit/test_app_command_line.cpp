#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/command_line.hpp"
#include "app/exit_codes.hpp"

using namespace regscan;

TEST_SUITE_BEGIN("app");

namespace {

app::Command parse(std::vector<std::string> args, std::map<std::string, std::string> env = {},
                   const std::string& input = "") {
    std::istringstream in(input);
    env.emplace("HOME", "/nonexistent-home");
    return app::parse_command_line(args, in, env, {});
}

app::ExitCode code_of(std::vector<std::string> args) {
    try {
        parse(std::move(args));
    } catch (const app::Fatal& e) {
        return e.code();
    }
    return app::ExitCode::ok;
}

}  // namespace

TEST_CASE("app::parse_command_line reads a registry run") {
    auto c = parse({"registry", "http://127.0.0.1:5000/", "--mode=dry-run", "--allowList=a,b", "--allowList", "c",
                    "--denyList=tools/*", "--max-images", "3", "--platform", "all", "--insecure", "--concurrency=2"});
    CHECK(c.kind == app::CommandKind::registry);
    CHECK(c.run.url == "http://127.0.0.1:5000");
    CHECK(c.run.mode == engine::Mode::dry_run);
    CHECK(c.run.allow == std::vector<std::string>{"a,b", "c"});
    CHECK(c.run.deny == std::vector<std::string>{"tools/*"});
    CHECK(c.run.max_images == 3);
    CHECK(c.run.platform == "all");
    CHECK_FALSE(c.run.http.verify_tls);
    CHECK(c.run.concurrency == 2);
    CHECK(parse({"registry", "reg.example"}).run.url == "https://reg.example");
}

TEST_CASE("app::parse_command_line takes credentials from flags, stdin, then the environment") {
    auto flags = parse({"registry", "r", "--username=u", "--password=p"}, {{"REGSCAN_REGISTRY_PASSWORD", "env"}});
    CHECK(flags.run.credentials.username == "u");
    CHECK(flags.run.credentials.password == "p");
    auto stdin_password = parse({"registry", "r", "--password-stdin"}, {}, "from-stdin\nrest");
    CHECK(stdin_password.run.credentials.password == "from-stdin");
    auto env = parse({"registry", "r"}, {{"REGSCAN_REGISTRY_USERNAME", "eu"}, {"REGSCAN_REGISTRY_PASSWORD", "ep"}});
    CHECK(env.run.credentials.username == "eu");
    CHECK(env.run.credentials.password == "ep");
    auto tcs = parse({"registry", "r"}, {{"TCS_REGISTRY_USERNAME", "tu"}, {"TCS_REGISTRY_PASSWORD", "tp"}});
    CHECK(tcs.run.credentials.username == "tu");
    CHECK(tcs.run.credentials.password == "tp");
}

TEST_CASE("app::parse_command_line reads a config file below the command line") {
    auto path = std::filesystem::temp_directory_path() / "regscan-test-config";
    {
        std::ofstream out(path);
        out << "# comment\nusername = fileuser\npassword = filepw\nmode = dry-run\ndenyList = tools/*\nplatform = linux/arm64\n";
    }
    auto c = parse({"registry", "r", "--config", path.string(), "--platform", "linux/amd64"});
    CHECK(c.run.credentials.username == "fileuser");
    CHECK(c.run.credentials.password == "filepw");
    CHECK(c.run.mode == engine::Mode::dry_run);
    CHECK(c.run.deny == std::vector<std::string>{"tools/*"});
    CHECK(c.run.platform == "linux/amd64");
    auto env_wins = parse({"registry", "r", "--config", path.string()}, {{"REGSCAN_REGISTRY_USERNAME", "envuser"}});
    CHECK(env_wins.run.credentials.username == "envuser");
    std::filesystem::remove(path);
}

TEST_CASE("app::parse_command_line refuses bad arguments with exit code 2") {
    using app::ExitCode;
    CHECK(code_of({"registry"}) == ExitCode::bad_arguments);
    CHECK(code_of({"registry", "r", "--mode=bogus"}) == ExitCode::bad_arguments);
    CHECK(code_of({"registry", "r", "--no-such-flag"}) == ExitCode::bad_arguments);
    CHECK(code_of({"registry", "r", "--platform=amd64"}) == ExitCode::bad_arguments);
    CHECK(code_of({"registry", "r", "--concurrency=0"}) == ExitCode::bad_arguments);
    CHECK(code_of({"registry", "r", "--password=x", "--password-stdin"}) == ExitCode::bad_arguments);
    CHECK(code_of({"registry", "r", "--config=/nonexistent/config"}) == ExitCode::bad_arguments);
    CHECK(code_of({"registry", "r", "--resolve=nocolons"}) == ExitCode::bad_arguments);
    CHECK(code_of({"frobnicate"}) == ExitCode::bad_arguments);
    CHECK(code_of({"registry", "r", "--log-level=loud"}) == ExitCode::bad_arguments);
}

TEST_CASE("app::parse_command_line help and plugin dirs") {
    CHECK(parse({}).kind == app::CommandKind::help);
    auto help = parse({"registry", "--help"});
    CHECK(help.kind == app::CommandKind::help);
    CHECK(help.help_text.find("--allowList") != std::string::npos);
    CHECK(app::plugin_dirs_in({"registry", "--plugin-dir", "/a", "--plugin-dir=/b"}) ==
          std::vector<std::string>{"/a", "/b"});
}

TEST_SUITE_END();
