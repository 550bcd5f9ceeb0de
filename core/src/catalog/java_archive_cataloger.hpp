// Java archives (.jar, .war, .ear), read from memory with libarchive:
// every META-INF/maven/<group>/<artifact>/pom.properties is one Maven
// package "groupId:artifactId"; archives nested inside (WEB-INF/lib,
// BOOT-INF/lib, ...) are read the same way, to a depth limit.
//
// An archive with no pom.properties is reported from its MANIFEST.MF
// (Implementation-Title / Implementation-Version, else Bundle-SymbolicName /
// Bundle-Version) with an empty ecosystem: the manifest names no Maven
// groupId, so the package is inventoried but never matched against OSV.
#pragma once

#include "catalog/cataloger.hpp"

namespace regscan::catalog {

class JavaArchiveCataloger final : public Cataloger {
public:
    [[nodiscard]] std::string name() const override { return "java-archive"; }
    [[nodiscard]] bool wants(const FileInfo& file) const override;
    void analyse(const FileInfo& file, std::string_view content, FileFacts& facts) const override;

    static constexpr int max_depth = 4;  // nested archives within the file
};

}  // namespace regscan::catalog
