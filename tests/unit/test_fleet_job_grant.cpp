#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "fleet/enqueue.hpp"
#include "fleet/job_grant.hpp"
#include "temp_dir.hpp"

using namespace regscan;
using nlohmann::json;
using regscan::test::TempDir;

TEST_SUITE_BEGIN("fleet");

namespace {

// The rows a connector's import queues for one image of `url`, sealed with `box`.
json queued_job(const serve::SecretBox& box, const std::string& url, int64_t connector, const std::string& pull_base) {
    engine::RunOptions options;
    options.url = url;
    options.project = "main";
    options.type = "HARBOR";
    options.connector_id = connector;
    options.seal_grant = [&box](std::string_view subject) { return box.seal(subject); };
    engine::ImageRecord image;
    image.repository.name = "team/app";
    image.repository.pull_base = pull_base;
    image.tag = "1.0";
    auto work = fleet::work_for(options, "HARBOR", {image});
    REQUIRE(work.size() == 1);
    CHECK(work[0].registry_url == url);
    return json::parse(work[0].options);
}

std::string refusal(const std::function<void()>& check) {
    try {
        check();
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

// Why check_grant refuses the row, "" when it accepts it.
std::string grant_refusal(int64_t connector, const fleet::GrantedRow& row, const json& job,
                          const serve::SecretBox& box) {
    return refusal([&] { fleet::check_grant(connector, row, job, box); });
}

}  // namespace

TEST_CASE("fleet::check_grant accepts a connector's row only for the destination serve sealed, under serve's key") {
    TempDir dir;
    auto box = serve::SecretBox::from_key_file(dir.path / "key");
    const std::string url = "https://harbor.example";
    auto job = queued_job(box, url, 7, "");
    REQUIRE(job.contains("grant"));
    CHECK(job["connector"] == 7);
    CHECK_NOTHROW(fleet::check_grant(7, {"main", url, "HARBOR"}, job, box));

    // The same grant on a row naming another registry, type, pull base or connector.
    CHECK(grant_refusal(7, {"main", "https://catcher.example", "HARBOR"}, job, box) ==
          "the queue row's registry_url is not the one serve's grant names: connector 7's credentials are not used "
          "for it");
    CHECK(grant_refusal(7, {"main", url, "DOCKERHUB"}, job, box).find("registry_type") !=
          std::string::npos);
    CHECK(grant_refusal(8, {"main", url, "HARBOR"}, job, box).find("connector") != std::string::npos);
    auto moved = job;
    moved["pull_base"] = "https://catcher.example";
    CHECK(grant_refusal(7, {"main", url, "HARBOR"}, moved, box).find("pull_base") != std::string::npos);
    moved = job;
    moved["type"] = "QUAY";
    CHECK(grant_refusal(7, {"main", url, "HARBOR"}, moved, box).find("type") != std::string::npos);

    // No grant, one of another key, one that is not sealed text at all.
    auto bare = job;
    bare.erase("grant");
    CHECK(grant_refusal(7, {"main", url, "HARBOR"}, bare, box).find("carries no grant") !=
          std::string::npos);
    auto other = serve::SecretBox::from_key_file(dir.path / "other-key");
    auto forged = job;
    forged["grant"] = other.seal(fleet::grant_subject(7, {"main", "https://catcher.example", "HARBOR"}, job));
    CHECK(grant_refusal(7, {"main", "https://catcher.example", "HARBOR"}, forged, box)
              .find("not sealed with serve's key") != std::string::npos);
    forged["grant"] = fleet::grant_subject(7, {"main", "https://catcher.example", "HARBOR"}, job);
    CHECK(grant_refusal(7, {"main", "https://catcher.example", "HARBOR"}, forged, box)
              .find("not sealed with serve's key") != std::string::npos);
    // Sealed text of another kind under serve's key: a connector's password set through serve's API to a
    // subject of the attacker's choosing, copied from the connector table into a row.
    const std::string subject = fleet::grant_subject(7, {"main", "https://catcher.example", "HARBOR"}, job);
    forged["grant"] = box.seal(subject.substr(subject.find('\n') + 1));
    CHECK(grant_refusal(7, {"main", "https://catcher.example", "HARBOR"}, forged, box)
              .find("sealed text of another kind") != std::string::npos);
    // Another project, or a field the grant covers of another JSON type than a string.
    CHECK(grant_refusal(7, {"other", url, "HARBOR"}, job, box).find("project") !=
          std::string::npos);
    moved = job;
    moved["pull_base"] = nullptr;
    CHECK(grant_refusal(7, {"main", url, "HARBOR"}, moved, box) ==
          "the queue row's pull_base is not a string");
    forged["grant"] = 5;
    CHECK(grant_refusal(7, {"main", url, "HARBOR"}, forged, box).find("carries no grant") !=
          std::string::npos);
}

TEST_CASE("fleet::work_for seals no grant for a run of no connector's, and names no value in a refusal") {
    TempDir dir;
    auto box = serve::SecretBox::from_key_file(dir.path / "key");
    engine::RunOptions options;
    options.url = "https://reg.example";
    options.seal_grant = [&box](std::string_view subject) { return box.seal(subject); };
    engine::ImageRecord image;
    image.repository.name = "app";
    image.tag = "1";
    auto job = json::parse(fleet::work_for(options, "V2", {image}).at(0).options);
    CHECK_FALSE(job.contains("grant"));
    CHECK_FALSE(job.contains("connector"));

    auto granted = queued_job(box, "https://reg.example", 3, "https://pull.reg.example");
    CHECK_NOTHROW(fleet::check_grant(3, {"main", "https://reg.example", "HARBOR"}, granted, box));
    const std::string message = grant_refusal(3, {"main", "https://evil\x1b[2J", "HARBOR"}, granted, box);
    CHECK(message.find("evil") == std::string::npos);
}

TEST_CASE("fleet::check_pull_base lets a row pull only from its registry's host or one under it, never downgraded") {
    CHECK_NOTHROW(fleet::check_pull_base("https://reg.example", ""));
    CHECK_NOTHROW(fleet::check_pull_base("https://reg.example", "https://reg.example:8443/repository/docker"));
    CHECK_NOTHROW(fleet::check_pull_base("https://reg.example", "https://docker-local.reg.example"));
    CHECK_NOTHROW(fleet::check_pull_base("http://127.0.0.1:5000", "http://127.0.0.1:8082"));
    CHECK_NOTHROW(fleet::check_pull_base("http://reg.example", "https://reg.example"));
    CHECK(refusal([] { fleet::check_pull_base("https://reg.example", "http://reg.example"); })
              .find("drops the https of an https registry") != std::string::npos);
    // Read alike by every parser, or refused: curl connects to a.example where parse_url sees reg.example;
    // curl guesses http for a URL without a scheme.
    for (const char* unclear :
         {"https://a.example#@reg.example", "https://a.example?@reg.example", "reg.example",
          "https://a.example\\@reg.example", "https://reg.example /x", "https://user:pw@catcher.example/reg.example",
          "http://x.[::1]:5000", "HTTPS\x1b[2J://reg.example"})
        CHECK(refusal([&] { fleet::check_pull_base("https://reg.example", unclear); })
                  .find("is not a plain http(s) URL") != std::string::npos);
    CHECK(refusal([] { fleet::check_pull_base("https://reg.example", "HTTPS\x1b[2J://reg.example"); })
              .find('\x1b') == std::string::npos);
    // No registry host, a name ending in a dot, a pull host under an address in another form.
    CHECK(refusal([] { fleet::check_pull_base("", "https://evil.example."); }).find("another host") !=
          std::string::npos);
    CHECK(refusal([] { fleet::check_pull_base("https://reg.example", "https://reg.example."); }).find("another host") !=
          std::string::npos);
    CHECK(refusal([] { fleet::check_pull_base("http://0x7f000001:5000", "http://a.0x7f000001:5000"); })
              .find("another host") != std::string::npos);
    for (const char* elsewhere : {"https://catcher.example", "https://evilreg.example", "https://reg.example.evil"})
        CHECK(refusal([&] { fleet::check_pull_base("https://reg.example", elsewhere); })
                  .find("another host than the registry's") != std::string::npos);
    // An address has no hosts under it.
    CHECK(refusal([] { fleet::check_pull_base("http://127.0.0.1:5000", "http://1.127.0.0.1:5000"); })
              .find("another host") != std::string::npos);
    CHECK(refusal([] { fleet::check_pull_base("http://[::1]:5000", "http://[::2]:5000"); })
              .find("another host") != std::string::npos);
}
