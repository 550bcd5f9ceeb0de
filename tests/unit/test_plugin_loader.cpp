#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "http/http_client.hpp"
#include "plugin/loaded_plugin.hpp"
#include "plugin/registry_session.hpp"
#include "regscan/error.hpp"
#include "temp_dir.hpp"

using namespace regscan;
namespace fs = std::filesystem;
using regscan::test::TempDir;

TEST_SUITE_BEGIN("plugin");

namespace {

fs::path fixture_dir(const std::string& name) { return fs::path(REGSCAN_FIXTURE_PLUGIN_DIR) / name; }

std::string only_refusal(const plugin::PluginSet& set) {
    REQUIRE(set.plugins.empty());
    REQUIRE(set.refused.size() == 1);
    return set.refused[0].reason;
}

// Collects what the core logs at warning level and above while it lives.
struct WarningLog {
    std::ostringstream text;
    std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
    WarningLog() {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text);
        auto logger = std::make_shared<spdlog::logger>("warnings", sink);
        logger->set_level(spdlog::level::warn);
        logger->set_pattern("%l %v");
        spdlog::set_default_logger(logger);
    }
    ~WarningLog() { spdlog::set_default_logger(previous); }
};

}  // namespace

TEST_CASE("plugin::load_plugins loads every real plugin of the build") {
    auto set = plugin::load_plugins({REGSCAN_PLUGIN_DIR});
    for (const auto& refusal : set.refused) FAIL_CHECK(refusal.path.string() << ": " << refusal.reason);
    auto v2 = set.for_type("DEFAULT_V2");
    REQUIRE(v2);
    CHECK(v2->id() == "v2");
    CHECK(v2->sdk_version() == "1.5");
    CHECK(set.for_type("default_v2") == v2);
    CHECK(static_cast<bool>(v2->registry()->identify));
    // (SDK 1.3) Quay's OAuth token is a secret option; its namespace is not.
    auto quay = set.for_type("QUAY");
    REQUIRE(quay);
    std::map<std::string, bool> secret;
    for (const auto& option : quay->options()) secret[option.name] = option.secret;
    CHECK(secret == std::map<std::string, bool>{{"namespace", false}, {"quay-token", true}});
    // The set answers the names of all its plugins' secret options.
    CHECK(set.secret_option_names() == std::set<std::string>{"quay-token"});
}

TEST_CASE("plugin::load_plugins refuses another SDK major version before calling the plugin") {
    auto reason = only_refusal(plugin::load_plugins({fixture_dir("wrong_major")}));
    CHECK(reason.find("major versions differ") != std::string::npos);
    CHECK(reason.find("built for SDK 2.0") != std::string::npos);
}

TEST_CASE("plugin::load_plugins refuses a plugin built for a newer minor version") {
    CHECK(only_refusal(plugin::load_plugins({fixture_dir("newer_minor")})).find("upgrade regscan") != std::string::npos);
}

TEST_CASE("plugin::load_plugins refuses a descriptor shorter than its required fields") {
    CHECK(only_refusal(plugin::load_plugins({fixture_dir("short_descriptor")})).find("too short") != std::string::npos);
}

TEST_CASE("plugin::load_plugins refuses a registry table without a required function") {
    CHECK(only_refusal(plugin::load_plugins({fixture_dir("missing_function")})).find("lacks a required function") !=
          std::string::npos);
}

TEST_CASE("plugin::load_plugins refuses a shared library that is not a plugin") {
    CHECK(only_refusal(plugin::load_plugins({fixture_dir("no_entry_point")})).find("not a regscan plugin") !=
          std::string::npos);
}

TEST_CASE("plugin::load_plugins reports a corrupt file and still loads the others") {
    TempDir dir("corrupt");
    { std::ofstream(dir.path / "aaa-corrupt.so") << "this is not an ELF file at all, just text"; }
    fs::copy_file(fs::path(REGSCAN_PLUGIN_DIR) / "libregscan-v2.so", dir.path / "libregscan-v2.so");
    auto set = plugin::load_plugins({dir.path});
    REQUIRE(set.refused.size() == 1);
    CHECK(set.refused[0].path.filename() == "aaa-corrupt.so");
    CHECK(set.refused[0].reason.find("not a loadable shared library") != std::string::npos);
    REQUIRE(set.plugins.size() == 1);
    CHECK(set.plugins[0]->id() == "v2");
}

TEST_CASE("plugin::load_plugins finds nothing in an empty or absent directory") {
    TempDir dir("empty");
    auto set = plugin::load_plugins({dir.path, dir.path / "absent"});
    CHECK(set.plugins.empty());
    CHECK(set.refused.empty());
}

TEST_CASE("plugin::load_plugins keeps the first of two plugins with the same id") {
    TempDir dir("duplicate");
    fs::copy_file(fs::path(REGSCAN_PLUGIN_DIR) / "libregscan-v2.so", dir.path / "libregscan-v2.so");
    auto set = plugin::load_plugins({dir.path, REGSCAN_PLUGIN_DIR});
    auto v2 = set.for_type("DEFAULT_V2");
    REQUIRE(v2);
    CHECK(v2->path().parent_path() == dir.path);
    bool refused_duplicate = false;
    for (const auto& r : set.refused) refused_duplicate |= r.reason.find("duplicate plugin id 'v2'") != std::string::npos;
    CHECK(refused_duplicate);
}

TEST_CASE("plugin::load_plugins refuses a world-writable directory") {
    TempDir dir("world-writable");
    fs::copy_file(fs::path(REGSCAN_PLUGIN_DIR) / "libregscan-v2.so", dir.path / "libregscan-v2.so");
    fs::permissions(dir.path, fs::perms::all);
    auto set = plugin::load_plugins({dir.path});
    CHECK(only_refusal(set).find("world-writable") != std::string::npos);
}

TEST_CASE("plugin::RegistrySession turns plugin exceptions into errors, never crashes") {
    auto set = plugin::load_plugins({fixture_dir("throwing_plugin")});
    REQUIRE(set.plugins.size() == 1);
    auto throwing = set.plugins[0];
    REQUIRE(throwing->options().size() == 1);
    CHECK(throwing->options()[0].name == "throwing-flag");
    CHECK(throwing->options()[0].env == "THROWING_FLAG");

    http::HttpClient client({});
    sdk::Probe probe;
    probe.url = "https://throwing.example";
    probe.parsed = sdk::parse_url(probe.url);
    auto identified = plugin::identify_registry(set, client, probe, "");
    CHECK(identified.plugin == throwing);
    CHECK(identified.score == 50);
    probe.url = "https://throw.invalid";
    probe.parsed = sdk::parse_url(probe.url);
    CHECK_FALSE(plugin::identify_registry(set, client, probe, "").plugin);  // no DEFAULT_V2 loaded

    auth::RegistryAuth auth(client, {});
    sdk::SessionConfig refuse{"https://throwing.example", "THROWING", "refuse", "", {}};
    try {
        plugin::RegistrySession session(throwing, client, auth, refuse);
        FAIL("open should have failed");
    } catch (const sdk::Error& e) {
        CHECK(e.status() == REGSCAN_AUTH_FAILED);
        CHECK(std::string(e.what()).find("bad credentials") != std::string::npos);
    }

    plugin::RegistrySession session(throwing, client, auth, {"https://throwing.example", "THROWING", "", "", {}});
    CHECK_THROWS_WITH(session.repositories(), doctest::Contains("catalog exploded"));
    try {
        session.tags({"team/app", "", ""});
        FAIL("tags should have failed");
    } catch (const sdk::Error& e) {
        CHECK(e.status() == REGSCAN_NOT_FOUND);
        CHECK(std::string(e.what()).find("no such repo team/app") != std::string::npos);
    }
}

TEST_SUITE_END();

TEST_SUITE_BEGIN("plugin");

TEST_CASE("plugin::identify_registry does not fall back to DEFAULT_V2 for a vendor URL whose plugin is missing") {
    TempDir dir("v2-only");
    fs::copy_file(fs::path(REGSCAN_PLUGIN_DIR) / "libregscan-v2.so", dir.path / "libregscan-v2.so");
    auto set = plugin::load_plugins({dir.path});
    REQUIRE(set.plugins.size() == 1);
    http::HttpClient client({});
    auto probe_of = [](const std::string& url) {
        sdk::Probe probe;
        probe.url = url;
        probe.parsed = sdk::parse_url(url);
        probe.ping_status = 401;
        return probe;
    };
    auto ecr = plugin::identify_registry(set, client, probe_of("https://123456789012.dkr.ecr.us-east-1.amazonaws.com"), "");
    CHECK_FALSE(ecr.plugin);
    CHECK(ecr.type == "ECR");
    CHECK(plugin::identify_registry(set, client, probe_of("https://team.azurecr.io"), "").type == "ACR");
    auto generic = plugin::identify_registry(set, client, probe_of("https://reg.example:5000"), "");
    REQUIRE(generic.plugin);
    CHECK(generic.type == "DEFAULT_V2");
    // --type still forces the generic plugin onto a vendor URL
    auto forced = plugin::identify_registry(set, client, probe_of("https://team.azurecr.io"), "DEFAULT_V2");
    CHECK(forced.plugin == generic.plugin);
}

TEST_CASE("plugin::identify_registry allows no request in the first pass and one in the probing pass") {
    auto set = plugin::load_plugins({fs::path(REGSCAN_FIXTURE_PLUGIN_DIR) / "probing_plugin"});
    REQUIRE(set.plugins.size() == 1);
    http::HttpClient client({});
    sdk::Probe probe;
    probe.url = "https://probing.invalid";
    probe.parsed = sdk::parse_url(probe.url);
    auto identified = plugin::identify_registry(set, client, probe, "");
    // refused in pass 1, the first request of pass 2 sent, the second refused
    CHECK(identified.type == "PROBED:111");
    CHECK(identified.score == 40);
}

// (SDK 1.5) The probing pass asks a 1.5 plugin on a thread of its own, an
// older one (promised identify() from one thread) on the calling thread.
TEST_CASE("plugin::identify_registry asks a 1.5 plugin's probe on a thread of its own, an older one's on the caller's") {
    http::HttpClient client({});
    sdk::Probe probe;
    probe.url = "https://thread.invalid";
    probe.parsed = sdk::parse_url(probe.url);
    std::ostringstream caller;
    caller << std::this_thread::get_id();
    auto older = plugin::load_plugins({fixture_dir("identify_thread_1_4")});
    REQUIRE(older.plugins.size() == 1);
    REQUIRE(older.plugins[0]->abi_minor() == 4);
    CHECK(plugin::identify_registry(older, client, probe, "").type == "ON:" + caller.str());
    auto newer = plugin::load_plugins({fixture_dir("identify_thread_1_5")});
    REQUIRE(newer.plugins.size() == 1);
    const auto type = plugin::identify_registry(newer, client, probe, "").type;
    CHECK(type.rfind("ON:", 0) == 0);
    CHECK(type != "ON:" + caller.str());
}

TEST_SUITE_END();

TEST_SUITE_BEGIN("plugin");

TEST_CASE("plugin::load_plugins refuses an option list of the wrong shape, naming the option") {
    auto set = plugin::load_plugins({fixture_dir("wrong_option_shape")});
    CHECK(only_refusal(set).find("registry option 'wrong-option' has a \"help\" that is not a string") !=
          std::string::npos);
}

TEST_CASE("plugin::identify_registry warns with the plugin, its file and identify when identify throws") {
    auto set = plugin::load_plugins({fixture_dir("throwing_plugin")});
    REQUIRE(set.plugins.size() == 1);
    http::HttpClient client({});
    sdk::Probe probe;
    probe.url = "https://throw.invalid";
    probe.parsed = sdk::parse_url(probe.url);
    WarningLog log;
    CHECK_FALSE(plugin::identify_registry(set, client, probe, "").plugin);
    const auto text = log.text.str();
    CHECK(text.find("warning Plugin failed plugin=throwing") != std::string::npos);
    CHECK(text.find("file=" + set.plugins[0]->path().string()) != std::string::npos);
    CHECK(text.find("callback=identify") != std::string::npos);
    CHECK(text.find("identify exploded") != std::string::npos);
    CHECK(text.find("callback=identify") == text.rfind("callback=identify"));  // once, though identify ran twice
}

TEST_CASE("plugin::RegistrySession names the plugin, its file and the callback for JSON of the wrong shape") {
    auto set = plugin::load_plugins({fixture_dir("wrong_shape_plugin")});
    REQUIRE(set.plugins.size() == 1);
    auto plugin = set.plugins[0];
    const std::string file = plugin->path().string();
    http::HttpClient client({});

    sdk::Probe probe;
    probe.url = "https://wrong-shape.invalid";
    probe.parsed = sdk::parse_url(probe.url);
    {
        WarningLog log;
        CHECK_FALSE(plugin::identify_registry(set, client, probe, "").plugin);  // a text score counts as 0
        CAPTURE(log.text.str());
        CHECK(log.text.str().find("plugin=wrong-shape file=" + file + " callback=identify") != std::string::npos);
    }

    auth::RegistryAuth auth(client, {});
    plugin::RegistrySession session(plugin, client, auth, {"https://wrong-shape.invalid", "WRONG_SHAPE", "", "", {}});
    try {
        session.repositories();
        FAIL("an object for the repository array must be an error");
    } catch (const sdk::Error& e) {
        const std::string what = e.what();
        CHECK(what.find("plugin wrong-shape (" + file + ") list_repositories") != std::string::npos);
        CHECK(what.find("wrong shape") != std::string::npos);
    }
    try {
        session.tags({"team/app", "", ""});
        FAIL("a string for the tag array must be an error");
    } catch (const sdk::Error& e) {
        CHECK(std::string(e.what()).find("plugin wrong-shape (" + file + ") list_tags for team/app") !=
              std::string::npos);
    }
}

TEST_CASE("plugin::RegistrySession names the plugin, its file and the callback when a call fails") {
    auto set = plugin::load_plugins({fixture_dir("throwing_plugin")});
    REQUIRE(set.plugins.size() == 1);
    auto throwing = set.plugins[0];
    const std::string file = throwing->path().string();
    http::HttpClient client({});
    auth::RegistryAuth auth(client, {});
    CHECK_THROWS_WITH(plugin::RegistrySession(throwing, client, auth, {"https://throwing.example", "THROWING", "refuse", "", {}}),
                      doctest::Contains(("plugin throwing (" + file + ") open").c_str()));
    plugin::RegistrySession session(throwing, client, auth, {"https://throwing.example", "THROWING", "", "", {}});
    CHECK_THROWS_WITH(session.repositories(),
                      doctest::Contains(("plugin throwing (" + file + ") list_repositories: catalog exploded").c_str()));
}

TEST_SUITE_END();
