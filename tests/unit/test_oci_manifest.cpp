#include <doctest/doctest.h>

#include "oci/manifest.hpp"

using namespace regscan::oci;

TEST_SUITE_BEGIN("oci");

namespace {
const char* image = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
  "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:c","size":10},
  "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:l","size":20}]})";
const char* index = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
  {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:amd","size":1,"platform":{"os":"linux","architecture":"amd64"}},
  {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:arm","size":1,"platform":{"os":"linux","architecture":"arm64","variant":"v8"}},
  {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:att","size":1,"platform":{"os":"unknown","architecture":"unknown"},
   "annotations":{"vnd.docker.reference.type":"attestation-manifest"}}]})";
}  // namespace

TEST_CASE("oci::parse_manifest reads an image manifest") {
    auto m = parse_manifest(image, "");
    CHECK(m.kind == ManifestKind::Image);
    CHECK(m.config.digest == "sha256:c");
    REQUIRE(m.layers.size() == 1);
    CHECK(m.layers[0].size == 20);
}

TEST_CASE("oci::parse_manifest recognises artifacts that are not images") {
    auto helm = parse_manifest(R"({"schemaVersion":2,"config":{"mediaType":"application/vnd.cncf.helm.config.v1+json","digest":"sha256:c","size":1},
      "layers":[{"mediaType":"application/vnd.cncf.helm.chart.content.v1.tar+gzip","digest":"sha256:l","size":1}]})",
                               "application/vnd.oci.image.manifest.v1+json");
    CHECK(helm.kind == ManifestKind::Artifact);
    CHECK(helm.artifact_type == "application/vnd.cncf.helm.config.v1+json");
    auto cosign = parse_manifest(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
      "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:c","size":1},
      "layers":[{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":"sha256:l","size":1}]})", "");
    CHECK(cosign.kind == ManifestKind::Artifact);
    CHECK(cosign.artifact_type == "application/vnd.dev.cosign.simplesigning.v1+json");
    auto sbom = parse_manifest(R"({"schemaVersion":2,"artifactType":"application/spdx+json",
      "config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:c","size":2},"layers":[]})", "");
    CHECK(sbom.kind == ManifestKind::Artifact);
    CHECK(sbom.artifact_type == "application/spdx+json");
}

TEST_CASE("oci::parse_manifest reads indexes and schema 1, and rejects garbage") {
    CHECK(parse_manifest(index, "").kind == ManifestKind::Index);
    CHECK(parse_manifest(R"({"schemaVersion":1,"name":"a","tag":"b","fsLayers":[]})", "").kind == ManifestKind::Schema1);
    CHECK_THROWS_WITH(parse_manifest("{not json", ""), doctest::Contains("not JSON"));
    CHECK_THROWS_WITH(parse_manifest(R"({"schemaVersion":2})", ""), doctest::Contains("neither"));
    CHECK_THROWS(parse_manifest(R"({"schemaVersion":2,"manifests":[{"mediaType":"x"}]})", ""));
}

TEST_CASE("oci::select_platforms picks by os/arch/variant and skips attestations") {
    auto m = parse_manifest(index, "");
    auto amd = select_platforms(m, PlatformSelector::parse("linux/amd64"));
    REQUIRE(amd.size() == 1);
    CHECK(amd[0].digest == "sha256:amd");
    CHECK(select_platforms(m, PlatformSelector::parse("linux/arm64")).at(0).digest == "sha256:arm");
    CHECK(select_platforms(m, PlatformSelector::parse("linux/arm64/v8")).size() == 1);
    CHECK(select_platforms(m, PlatformSelector::parse("linux/arm64/v7")).empty());
    CHECK(select_platforms(m, PlatformSelector::parse("all")).size() == 2);
    CHECK_THROWS(PlatformSelector::parse("amd64"));
}

TEST_CASE("oci::manifest_accept_header names every manifest type") {
    auto accept = manifest_accept_header();
    for (const char* type : {media::oci_index, media::oci_manifest, media::docker_list, media::docker_manifest})
        CHECK(accept.find(type) != std::string::npos);
}

TEST_SUITE_END();
