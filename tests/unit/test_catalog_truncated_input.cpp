#include <doctest/doctest.h>

#include <vector>

#include "../fixtures/catalog/support.hpp"

using namespace regscan::catalog;
using namespace regscan::catalog::testing;

// Layers are untrusted: a cut-off or corrupt database must end in a
// std::runtime_error naming the file (which the engine notes) or in fewer
// packages, never in another exception or a crash. (An ASan/UBSan build of
// the same loop over random byte flips found nothing either.)
TEST_SUITE_BEGIN("catalog");

TEST_CASE("catalog::all_catalogers survive truncated and corrupted files") {
    const std::string db = shared_dir + "/reference/package-dbs/";
    const std::vector<std::pair<std::string, std::string>> inputs{
        {"/var/lib/rpm/rpmdb.sqlite", read_file(db + "rpm/cbl-mariner-2.0-rpmdb.sqlite")},
        {"/var/lib/rpm/Packages", read_file(db + "rpm/libuuid-Packages.bdb")},
        {"/var/lib/rpm/Packages.db", read_file(db + "rpm/sle15-bci-Packages.db")},
        {"/usr/bin/hello", read_file(fixture_dir + "/go/hello-go")},
        {"/var/lib/dpkg/status", read_file(db + "dpkg/texlive.status")},
        {"/lib/apk/db/installed", read_file(db + "apk/query-installed.data")},
        {"/srv/package-lock.json", read_file(fixture_dir + "/npm/lockfile-v2.json")},
    };
    auto catalogers = all_catalogers();
    size_t runs = 0;
    for (const auto& [path, original] : inputs) {
        for (size_t cut = 1; cut <= 40; ++cut) {
            std::string content = original.substr(0, original.size() * cut / 41);
            if (cut % 2 == 0 && !content.empty()) content[content.size() / 2] ^= 0x5a;
            for (const auto& cataloger : catalogers) {
                FileInfo file{path, original.size(), path == "/usr/bin/hello" ? 0100755u : 0100644u};
                if (!cataloger->wants(file)) continue;
                FileFacts facts;
                try {
                    cataloger->analyse(file, content, facts);
                } catch (const std::runtime_error& error) {
                    CHECK(std::string(error.what()).starts_with(path));
                }
                ++runs;
            }
        }
    }
    CHECK(runs == inputs.size() * 40);
}

TEST_SUITE_END();
