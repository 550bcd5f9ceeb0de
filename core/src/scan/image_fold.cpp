#include "scan/image_fold.hpp"

#include <map>

#include "catalog/cataloger.hpp"
#include "limits/limits.hpp"

namespace regscan::scan {
namespace {

// Erases `dir` (unless kept) and every path under it. The paths under it
// are one run of the sorted map, from "dir/" up to "dir0" ('0' follows '/'):
// found by lookup, not by a walk of the whole map, so that a layer of many
// whiteouts over a layer of many files costs n log n, not n times n.
template <class Map>
void erase_under(Map& map, const std::string& dir, bool keep_dir_itself) {
    if (dir.empty() || dir == "/") {
        for (auto it = map.begin(); it != map.end();)
            it = keep_dir_itself && it->first == "/" ? std::next(it) : map.erase(it);
        return;
    }
    if (!keep_dir_itself) map.erase(dir);
    const std::string base = dir.back() == '/' ? dir.substr(0, dir.size() - 1) : dir;
    map.erase(map.lower_bound(base + '/'), map.lower_bound(base + '0'));
}

// What `path` holds in the final filesystem once links are followed (a
// link's packages are its target's, counted once, at the target); nullptr
// for a dangling link, a loop, or a target that was not read.
const catalog::FileFacts* final_file(const std::map<std::string, const catalog::FileFacts*>& files,
                                     const std::string& path) {
    std::string at = path;
    for (int hops = 0; hops < 16; ++hops) {
        auto it = files.find(at);
        if (it == files.end()) return nullptr;
        if (it->second->link.empty()) return it->second->unreadable ? nullptr : it->second;
        at = it->second->link;
    }
    return nullptr;
}

// Licenses a file of the final filesystem declares for a package another
// file lists (dpkg's copyright files), where the package's own data had none.
void attach_declared_licenses(const std::map<std::string, const catalog::FileFacts*>& files,
                              std::vector<Package>& packages) {
    std::map<std::pair<std::string, std::string>, const std::vector<std::string>*> declared;
    for (const auto& [path, facts] : files)
        if (!facts->licensed_package.empty() && !facts->licenses.empty())
            declared[{facts->licensed_type, facts->licensed_package}] = &facts->licenses;
    if (declared.empty()) return;
    for (auto& package : packages) {
        if (!package.licenses.empty()) continue;
        if (auto it = declared.find({package.type, package.name}); it != declared.end()) package.licenses = *it->second;
    }
}

}  // namespace

FoldedImage fold_layers(const std::vector<const LayerFacts*>& layers) {
    std::map<std::string, const catalog::FileFacts*> files;
    std::map<std::string, const std::vector<Misconfiguration>*> findings;
    FoldedImage image;
    for (const auto* layer : layers) {
        // Whiteouts act on the layers below this one only.
        for (const auto& dir : layer->opaque_dirs) {
            erase_under(files, dir, true);
            erase_under(findings, dir, true);
        }
        for (const auto& path : layer->deleted) {
            erase_under(files, path, false);
            erase_under(findings, path, false);
        }
        for (const auto& [path, facts] : layer->files) {
            files[path] = &facts;
            findings.erase(path);  // replaced file: its old mode no longer applies
        }
        for (const auto& [path, list] : layer->findings) findings[path] = &list;
        image.notes.insert(image.notes.end(), layer->notes.begin(), layer->notes.end());
    }
    // /etc/os-release wins over /usr/lib/os-release, as os-release(5) says;
    // either may be a link (Debian's /etc/os-release is).
    for (const char* path : {"/usr/lib/os-release", "/etc/os-release"})
        if (auto it = files.find(path); it != files.end())
            if (const auto* target = final_file(files, it->first); target && target->os) image.os = target->os;
    for (const auto& [path, facts] : files) {
        if (!facts->link.empty() && !final_file(files, path))
            image.notes.push_back(limits::echoed(path) + " is a link to " + limits::echoed(facts->link) +
                                  ", which the image does not hold as a file regscan read: what it lists is unknown "
                                  "(incomplete)");
        image.packages.insert(image.packages.end(), facts->packages.begin(), facts->packages.end());
        image.notes.insert(image.notes.end(), facts->notes.begin(), facts->notes.end());
    }
    for (const auto& [path, list] : findings) image.findings.insert(image.findings.end(), list->begin(), list->end());
    attach_declared_licenses(files, image.packages);
    catalog::assign_os_ecosystem(image.packages, image.os);
    return image;
}

}  // namespace regscan::scan
