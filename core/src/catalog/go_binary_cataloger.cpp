#include "catalog/go_binary_cataloger.hpp"

#include "catalog/file_budget.hpp"
#include "catalog/go_buildinfo.hpp"
#include "catalog/purl.hpp"

namespace regscan::catalog {

namespace {

scan::Package module_package(const go::Module& module, const std::string& location) {
    scan::Package package;
    package.type = "go-module";
    package.ecosystem = "Go";
    package.name = module.path;
    package.version = module.version;
    size_t slash = module.path.rfind('/');
    std::string_view path = module.path;
    package.purl = slash == std::string::npos
                       ? purl::make("golang", "", path, module.version)
                       : purl::make("golang", path.substr(0, slash), path.substr(slash + 1), module.version);
    package.location = location;
    return package;
}

}  // namespace

bool GoBinaryCataloger::wants(const FileInfo& file) const { return file.executable() && file.size >= min_size; }

void GoBinaryCataloger::analyse(const FileInfo& file, std::string_view content, FileFacts& facts) const {
    auto info = go::read_build_info(content);
    if (!info) return;
    go::ModuleInfo modules = go::parse_module_info(info->modinfo);
    FileBudget budget(file);
    auto add = [&](const go::Module& module) {
        package_field(file.path, "module path", module.path);
        package_field(file.path, "module version", module.version);
        facts.packages.push_back(module_package(module, file.path));
        budget.add(facts.packages.back());
    };
    if (modules.main && !modules.main->path.empty()) add(*modules.main);
    for (const go::Module& dep : modules.deps) add(dep);

    scan::Package stdlib;
    stdlib.type = "go-stdlib";
    stdlib.ecosystem = "Go";
    stdlib.name = "stdlib";
    stdlib.version = go::toolchain_version(info->go_version);
    if (stdlib.version.empty()) {
        facts.notes.push_back(file.path + ": Go toolchain \"" + info->go_version + "\" is not a release, stdlib not reported");
        return;
    }
    stdlib.purl = purl::make("golang", "", "stdlib", stdlib.version);
    stdlib.location = file.path;
    facts.packages.push_back(std::move(stdlib));
}

}  // namespace regscan::catalog
