#include "catalog/apk_cataloger.hpp"
#include "catalog/cataloger.hpp"
#include "catalog/dpkg_cataloger.hpp"
#include "catalog/go_binary_cataloger.hpp"
#include "catalog/java_archive_cataloger.hpp"
#include "catalog/npm_cataloger.hpp"
#include "catalog/os_release_cataloger.hpp"
#include "catalog/python_cataloger.hpp"
#include "catalog/rpm_cataloger.hpp"

namespace regscan::catalog {

std::vector<std::unique_ptr<Cataloger>> all_catalogers() {
    std::vector<std::unique_ptr<Cataloger>> catalogers;
    catalogers.push_back(std::make_unique<OsReleaseCataloger>());
    catalogers.push_back(std::make_unique<DpkgCataloger>());
    catalogers.push_back(std::make_unique<ApkCataloger>());
    catalogers.push_back(std::make_unique<RpmCataloger>());
    catalogers.push_back(std::make_unique<NpmCataloger>());
    catalogers.push_back(std::make_unique<PythonCataloger>());
    catalogers.push_back(std::make_unique<JavaArchiveCataloger>());
    // Last: it looks at the most files.
    catalogers.push_back(std::make_unique<GoBinaryCataloger>());
    return catalogers;
}

}  // namespace regscan::catalog
