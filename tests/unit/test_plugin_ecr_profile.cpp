// The shared AWS credentials and config files as the ecr plugin reads them.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "ecr_profile.hpp"
#include "test_plugin_ecr_fake_host.hpp"

using namespace regscan::ecr;

TEST_SUITE_BEGIN("ecr");

TEST_CASE("ecr::profile INI sections, comments, nested values") {
    auto sections = parse_ini("# comment\n[default]\naws_access_key_id = AKIDDEFAULT\n; another\n"
                              "[profile ci]\nregion=eu-west-1\ns3 =\n  max_concurrent_requests = 20\n"
                              "output = json\r\n");
    CHECK(sections["default"]["aws_access_key_id"] == "AKIDDEFAULT");
    CHECK(sections["profile ci"]["region"] == "eu-west-1");
    CHECK(sections["profile ci"]["output"] == "json");
    CHECK(sections["profile ci"].count("max_concurrent_requests") == 0);
}

TEST_CASE("ecr::profile files located from the environment, profile name order") {
    ecr_test::FakeEnvironment fake;
    fake.variables = {{"HOME", "/home/scanner"}};
    auto env = fake.environment();
    auto files = ProfileFiles::locate(env);
    CHECK(files.credentials_path == "/home/scanner/.aws/credentials");
    CHECK(files.config_path == "/home/scanner/.aws/config");
    CHECK(profile_name(env) == "default");

    fake.variables["AWS_SHARED_CREDENTIALS_FILE"] = "~/creds";
    fake.variables["AWS_CONFIG_FILE"] = "/etc/aws-config";
    fake.variables["AWS_DEFAULT_PROFILE"] = "legacy";
    files = ProfileFiles::locate(env);
    CHECK(files.credentials_path == "/home/scanner/creds");
    CHECK(files.config_path == "/etc/aws-config");
    CHECK(profile_name(env) == "legacy");
    fake.variables["AWS_PROFILE"] = "ci";
    CHECK(profile_name(env) == "ci");
}

TEST_CASE("ecr::profile credentials file wins over config; [profile x] and [default] forms") {
    auto dir = std::filesystem::temp_directory_path() / ("regscan-ecr-profile-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "credentials") << "[ci]\naws_access_key_id = AKIDFROMCREDS\n[default]\n";
    std::ofstream(dir / "config") << "[profile ci]\naws_access_key_id = AKIDFROMCONFIG\nregion = ap-south-1\n"
                                     "[default]\nregion = us-west-2\n";
    ProfileFiles files{(dir / "credentials").string(), (dir / "config").string()};

    auto ci = load_profile(files, "ci");
    CHECK(ci.exists());
    CHECK(ci.value("aws_access_key_id") == "AKIDFROMCREDS");
    CHECK(ci.value("region") == "ap-south-1");
    CHECK(load_profile(files, "default").value("region") == "us-west-2");
    CHECK_FALSE(load_profile(files, "absent").exists());
    CHECK_FALSE(load_profile({"/nonexistent/a", "/nonexistent/b"}, "ci").exists());
    std::filesystem::remove_all(dir);
}

TEST_SUITE_END();
