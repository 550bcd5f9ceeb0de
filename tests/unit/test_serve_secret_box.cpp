#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

#include "serve/secret_box.hpp"
#include "temp_dir.hpp"

using namespace regscan::serve;
using regscan::test::TempDir;

TEST_SUITE_BEGIN("serve");

TEST_CASE("serve::SecretBox opens what it sealed, with a fresh nonce each time") {
    TempDir dir;
    auto box = SecretBox::from_key_file(dir.path / "key");
    auto a = box.seal("robot$ci-password");
    auto b = box.seal("robot$ci-password");
    CHECK(a != b);
    CHECK(a.find("robot") == std::string::npos);
    CHECK(a.rfind("v1:", 0) == 0);
    CHECK(box.open(a) == "robot$ci-password");
    CHECK(box.open(b) == "robot$ci-password");
    CHECK(box.open(box.seal("")) == "");
}

TEST_CASE("serve::SecretBox refuses an altered sealed text") {
    TempDir dir;
    auto box = SecretBox::from_key_file(dir.path / "key");
    auto sealed = box.seal("secret-value");
    for (size_t i = 3; i < sealed.size() - 2; i += 5) {
        auto altered = sealed;
        altered[i] = altered[i] == 'A' ? 'B' : 'A';
        CHECK_THROWS_AS((void)box.open(altered), SecretBoxError);
    }
    CHECK_THROWS_AS((void)box.open(sealed.substr(0, sealed.size() - 4)), SecretBoxError);
    CHECK_THROWS_AS((void)box.open("secret-value"), SecretBoxError);
    CHECK_THROWS_AS((void)box.open("v1:"), SecretBoxError);
}

TEST_CASE("serve::SecretBox under another key cannot open") {
    TempDir dir;
    auto one = SecretBox::from_key_file(dir.path / "one");
    auto two = SecretBox::from_key_file(dir.path / "two");
    CHECK_THROWS_AS((void)two.open(one.seal("secret-value")), SecretBoxError);
}

TEST_CASE("serve::SecretBox makes its key file 0600 once and reads it back") {
    TempDir dir;
    auto file = dir.path / "sub" / "key";
    auto sealed = SecretBox::from_key_file(file).seal("secret-value");
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(std::filesystem::file_size(file) == 65);
    CHECK(SecretBox::from_key_file(file).open(sealed) == "secret-value");
}

TEST_CASE("serve::SecretBox refuses a key file others can read, or one without a key") {
    TempDir dir;
    auto file = dir.path / "key";
    (void)SecretBox::from_key_file(file);
    std::filesystem::permissions(file, std::filesystem::perms(0640));
    CHECK_THROWS_WITH_AS((void)SecretBox::from_key_file(file), doctest::Contains("other users"), SecretBoxError);
    std::filesystem::permissions(file, std::filesystem::perms(0604));
    CHECK_THROWS_AS((void)SecretBox::from_key_file(file), SecretBoxError);

    auto bad = dir.path / "bad";
    {
        std::ofstream(bad) << "not a key\n";
    }
    std::filesystem::permissions(bad, std::filesystem::perms(0600));
    CHECK_THROWS_WITH_AS((void)SecretBox::from_key_file(bad), doctest::Contains("64 hex"), SecretBoxError);

    auto link = dir.path / "link";
    std::filesystem::permissions(file, std::filesystem::perms(0600));
    std::filesystem::create_symlink(file, link);
    CHECK_THROWS_AS((void)SecretBox::from_key_file(link), SecretBoxError);
}

TEST_SUITE_END();
